"""The public check under /cek/ (no login): its own namespace."""

from django.urls import path

from lindung.billing import public_views

app_name = "cek"
urlpatterns = [
    path("", public_views.check, name="check"),
]

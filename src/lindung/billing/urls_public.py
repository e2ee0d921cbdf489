"""The public check under /cek/ (no login): its own namespace."""

from django.urls import URLPattern

app_name = "cek"
urlpatterns: list[URLPattern] = []

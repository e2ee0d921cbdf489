from django.urls import path

from lindung.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("ekspor.xlsx", views.event_export, name="event-export"),
]

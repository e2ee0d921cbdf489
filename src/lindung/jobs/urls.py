from django.urls import path

from lindung.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<uuid:job_id>/", views.job_status, name="job"),
    path("<uuid:job_id>/unduh/", views.job_download, name="download"),
]

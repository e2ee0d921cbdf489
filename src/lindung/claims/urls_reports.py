"""BPJS claim reports under /klaim/laporan-bpjs/ (namespace claims): person-level pages, CLAIM
and a role that sees the whole regency."""

from django.urls import path

from lindung.claims import report_views

urlpatterns = [
    # the reports received and the upload form
    path("", report_views.report_list, name="report-list"),
    path("unggah/", report_views.report_upload, name="report-upload"),
    # one report: the check's progress, then the four lists; save or discard (POST)
    path("<int:pk>/", report_views.report_detail, name="report-detail"),
    path("<int:pk>/simpan/", report_views.report_commit, name="report-commit"),
    path("<int:pk>/buang/", report_views.report_discard, name="report-discard"),
]

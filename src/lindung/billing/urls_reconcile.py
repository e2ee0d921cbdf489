"""Reconciliation with BPJS under /tagihan/rekonsiliasi/ (namespace billing): person-level
pages, BILL only."""

from django.urls import path

from lindung.billing import reconcile_views

urlpatterns = [
    # the recaps received and the upload form
    path("", reconcile_views.reconcile_list, name="reconcile-list"),
    path("unggah/", reconcile_views.reconcile_upload, name="reconcile-upload"),
    # one recap: the check's progress, then the four lists; save or discard (POST)
    path("<int:pk>/", reconcile_views.reconcile_detail, name="reconcile-detail"),
    path("<int:pk>/simpan/", reconcile_views.reconcile_commit, name="reconcile-commit"),
    path("<int:pk>/buang/", reconcile_views.reconcile_discard, name="reconcile-discard"),
]

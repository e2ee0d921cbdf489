"""Events and claims under /klaim/ (namespace claims): person-level pages."""

from django.urls import path

from lindung.claims import claim_views

urlpatterns = [
    path("", claim_views.claim_list, name="claim-list"),
    path("klaim.xlsx", claim_views.claim_export, name="claim-export"),
    path("lapor/<int:worker_pk>/", claim_views.event_report, name="event-report"),
    path("kejadian/<int:pk>/", claim_views.event_detail, name="event-detail"),
    path("kejadian/<int:pk>/klaim/", claim_views.claim_open, name="claim-open"),
    path("<int:pk>/", claim_views.claim_detail, name="claim-detail"),
    path("<int:pk>/berkas/", claim_views.claim_file, name="claim-file"),
    path("<int:pk>/ahli-waris/", claim_views.claim_heirs, name="claim-heirs"),
    path("<int:pk>/lengkap/", claim_views.claim_complete, name="claim-complete"),
    path("<int:pk>/ajukan/", claim_views.claim_submit, name="claim-submit"),
    path("<int:pk>/dibayar/", claim_views.claim_paid, name="claim-paid"),
    path("<int:pk>/ditolak/", claim_views.claim_reject, name="claim-reject"),
]

"""The billing pages under /tagihan/: each part of the app has its own URL module."""

from django.urls import include, path

app_name = "billing"
urlpatterns = [
    path("", include("lindung.billing.urls_bills")),
    path("rekonsiliasi/", include("lindung.billing.urls_reconcile")),
    path("realisasi/", include("lindung.billing.urls_realisation")),
]

"""The claims pages under /klaim/: each part of the app has its own URL module."""

from django.urls import include, path

app_name = "claims"
urlpatterns = [
    path("", include("lindung.claims.urls_claims")),
    path("laporan-bpjs/", include("lindung.claims.urls_reports")),
    path("dampak/", include("lindung.claims.urls_impact")),
]

"""The impact of the claims (aggregates: every role with a wilayah, pimpinan included)."""

from django.urls import URLPattern, path

from lindung.claims import impact_views as views

urlpatterns: list[URLPattern] = [
    path("", views.impact_page, name="impact"),
    path("ringkas/", views.impact_summary, name="impact-summary"),
    path("dampak-<int:year>.xlsx", views.impact_xlsx, name="impact-xlsx"),
    path("dampak-<int:year>.pdf", views.impact_pdf, name="impact-pdf"),
]

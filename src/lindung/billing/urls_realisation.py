"""The realisation against the pagu (aggregates: pimpinan may open them)."""

from django.urls import URLPattern, path

from lindung.billing import realisation_views as views

urlpatterns: list[URLPattern] = [
    path("", views.realisation_page, name="realisation"),
    path("realisasi.xlsx", views.realisation_xlsx, name="realisation-xlsx"),
    path("realisasi.pdf", views.realisation_pdf, name="realisation-pdf"),
]

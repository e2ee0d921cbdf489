from django.urls import path

from lindung.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("peta.json", views.map_data, name="map"),
    path("tabel.xlsx", views.table, name="table"),
    path("ringkasan.pdf", views.summary_pdf, name="summary-pdf"),
    path("kecamatan.pdf", views.kecamatan_pdf, name="kecamatan-pdf"),
    path("wilayah.pdf", views.area_pdf, name="area-pdf"),
    path("perbarui/", views.refresh_now, name="refresh"),
]

from django.urls import path

from lindung.regions import views

app_name = "regions"
urlpatterns = [
    path("wilayah/", views.home, name="home"),
    path("wilayah/<str:code>/", views.region_detail, name="region-detail"),
    path("pengaturan/sk/", views.decree_settings, name="decree-settings"),
]

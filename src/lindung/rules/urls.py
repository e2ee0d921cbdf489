from django.urls import path

from lindung.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.version_list, name="version-list"),
    path("tambah/", views.version_add, name="version-add"),
    path("kalkulator/", views.calculator, name="calculator"),
]

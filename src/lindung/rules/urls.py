from django.urls import path

from lindung.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.version_list, name="version-list"),
    path("tambah/", views.version_add, name="version-add"),
    path("kalkulator/", views.calculator, name="calculator"),
    path("kebijakan/", views.policy_list, name="policy-list"),
    path("kebijakan/ubah/", views.policy_edit, name="policy-edit"),
    path("kebijakan/pratinjau/", views.policy_preview, name="policy-preview"),
    path("kebijakan/<int:number>/", views.policy_detail, name="policy-detail"),
    path("usulan/<int:pk>/", views.nominate_worker, name="nominate"),
]

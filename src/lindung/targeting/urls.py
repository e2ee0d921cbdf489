from django.urls import path

from lindung.targeting import list_views, views

app_name = "targeting"
urlpatterns = [
    path("", views.scenario_list, name="scenario-list"),
    path("banding/", views.scenario_compare, name="scenario-compare"),
    path("<int:pk>/", views.scenario_detail, name="scenario-detail"),
    path("<int:pk>/lampiran.xlsx", views.scenario_lampiran, name="scenario-lampiran"),
    path("<int:pk>/setujui/", views.scenario_approve, name="scenario-approve"),
    path("daftar/", list_views.list_index, name="list-index"),
    path("daftar/<int:number>/", list_views.list_detail, name="list-detail"),
    path("daftar/<int:number>/lampiran.xlsx", list_views.list_xlsx, name="list-xlsx"),
    path("daftar/<int:number>/lampiran.pdf", list_views.list_pdf, name="list-pdf"),
    path("daftar/<int:number>/lampiran/", list_views.list_files, name="list-files"),
    path("daftar/<int:number>/sk/", list_views.list_decree, name="list-decree"),
]

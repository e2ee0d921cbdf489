from django.urls import path

from lindung.targeting import views

app_name = "targeting"
urlpatterns = [
    path("", views.scenario_list, name="scenario-list"),
    path("banding/", views.scenario_compare, name="scenario-compare"),
    path("<int:pk>/", views.scenario_detail, name="scenario-detail"),
    path("<int:pk>/lampiran.xlsx", views.scenario_lampiran, name="scenario-lampiran"),
]

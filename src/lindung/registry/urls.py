from django.urls import path

from lindung.registry import import_views, move_views, views

app_name = "registry"
urlpatterns = [
    path("", views.worker_list, name="worker-list"),
    path("ekspor.xlsx", views.worker_export, name="worker-export"),
    path("<int:pk>/", views.worker_detail, name="worker-detail"),
    path("<int:pk>/ubah/", views.worker_edit, name="worker-edit"),
    path("duplikat/", views.duplicate_list, name="duplicate-list"),
    path("duplikat/<int:pk>/", views.duplicate_detail, name="duplicate-detail"),
    path("duplikat/<int:pk>/gabung/", views.duplicate_merge, name="duplicate-merge"),
    path("duplikat/<int:pk>/berbeda/", views.duplicate_different, name="duplicate-different"),
    path("impor/", import_views.import_list, name="import-list"),
    path("impor/<uuid:batch_id>/", import_views.import_detail, name="import-detail"),
    path("impor/<uuid:batch_id>/simpan/", import_views.import_commit, name="import-commit"),
    path("impor/<uuid:batch_id>/batal/", import_views.import_discard, name="import-discard"),
    path("impor/<uuid:batch_id>/ulangi/", import_views.import_retry, name="import-retry"),
    path("impor/<uuid:batch_id>/laporan.xlsx", import_views.import_report, name="import-report"),
    path("pindah/", move_views.move_list, name="move-list"),
    path("pindah/<int:pk>/terima/", move_views.move_accept, name="move-accept"),
    path("pindah/<int:pk>/tolak/", move_views.move_refuse, name="move-refuse"),
]

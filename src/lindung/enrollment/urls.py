from django.urls import path

from lindung.enrollment import (
    answer_views,
    batch_views,
    participation_views,
    self_payer_views,
    wadah_views,
)

app_name = "enrollment"
urlpatterns = [
    # counts per state per source and wadah, the batches (batch_views)
    path("", batch_views.overview, name="overview"),
    path("batch/baru/", batch_views.batch_new, name="batch-new"),
    path("batch/<int:pk>/", batch_views.batch_detail, name="batch-detail"),
    path("batch/<int:pk>/unduh/<str:fmt>/", batch_views.batch_download, name="batch-download"),
    path("batch/<int:pk>/batalkan/", batch_views.batch_cancel, name="batch-cancel"),
    # the branch's answers (answer_views)
    path("batch/<int:pk>/jawaban/", answer_views.answer_upload, name="answer-upload"),
    path("jawaban/<int:pk>/", answer_views.answer_detail, name="answer-detail"),
    path("jawaban/<int:pk>/simpan/", answer_views.answer_commit, name="answer-commit"),
    path("jawaban/<int:pk>/buang/", answer_views.answer_discard, name="answer-discard"),
    # participations (participation_views)
    path("peserta/", participation_views.participation_list, name="participation-list"),
    path(
        "peserta/<int:pk>/akhiri/", participation_views.participation_end, name="participation-end"
    ),
    path(
        "peserta/<int:pk>/ajukan-ulang/",
        participation_views.participation_resubmit,
        name="participation-resubmit",
    ),
    # wadah (wadah_views, CONFIGURE)
    path("wadah/", wadah_views.wadah_list, name="wadah-list"),
    path("wadah/baru/", wadah_views.wadah_edit, name="wadah-new"),
    path("wadah/<int:pk>/", wadah_views.wadah_edit, name="wadah-edit"),
    # self-paying participants (self_payer_views)
    path("mandiri/", self_payer_views.self_payer_list, name="self-payer-list"),
    path("mandiri/unggah/", self_payer_views.self_payer_upload, name="self-payer-upload"),
]

from django.urls import include, path

from lindung.accounts.views import set_language
from lindung.api import api

urlpatterns = [
    path("", include("lindung.home.urls")),
    path("", include("lindung.regions.urls")),
    path("akun/", include("lindung.accounts.urls")),
    path("audit/", include("lindung.audit.urls")),
    path("pekerja/", include("lindung.registry.urls")),
    path("aturan/", include("lindung.rules.urls")),
    path("sasaran/", include("lindung.targeting.urls")),
    path("kepesertaan/", include("lindung.enrollment.urls")),
    path("tagihan/", include("lindung.billing.urls")),
    path("cek/", include("lindung.billing.urls_public")),
    path("klaim/", include("lindung.claims.urls")),
    path("dasbor/", include("lindung.dashboard.urls")),
    path("tugas/", include("lindung.jobs.urls")),
    path("i18n/setlang/", set_language, name="set-language"),
    path("api/v1/", api.urls),
]

handler400 = "lindung.ui.views.bad_request"

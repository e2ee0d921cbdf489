from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "lindung.claims"
    verbose_name = _("Claims and impact")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lindung.claims.sections import WORKER_CLAIMS
        from lindung.registry.sections import register as register_section

        register_section(WORKER_CLAIMS)

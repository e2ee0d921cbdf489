from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetingConfig(AppConfig):
    name = "lindung.targeting"
    verbose_name = _("Targeting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lindung.registry.sections import register
        from lindung.targeting.sections import WORKER_LISTS

        register(WORKER_LISTS)

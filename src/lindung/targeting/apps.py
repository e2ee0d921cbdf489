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

        from lindung.jobs.kinds import register as register_job
        from lindung.targeting.background import KIND, LAMPIRAN_KIND

        register_job(KIND)
        register_job(LAMPIRAN_KIND)

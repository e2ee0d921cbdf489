from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "lindung.registry"
    verbose_name = _("Worker registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lindung.jobs.kinds import register
        from lindung.registry.background import KIND

        register(KIND)

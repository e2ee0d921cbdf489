from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_national_rules(**kwargs: Any) -> list[checks.CheckMessage]:
    """The national rules file must parse and validate, or nothing starts."""
    from lindung.rules.national import NATIONAL_FILE, RulesError, file_versions

    file_versions.cache_clear()
    try:
        file_versions()
    except (RulesError, OSError) as error:
        return [
            checks.Error(
                f"{NATIONAL_FILE}: {getattr(error, 'message', error)}",
                hint="Fix the rules file; every value needs its legal source.",
                id="rules.E001",
            )
        ]
    return []


class RulesConfig(AppConfig):
    name = "lindung.rules"
    verbose_name = _("Regulation rules")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lindung.registry.sections import register
        from lindung.rules.sections import WORKER_NOMINATIONS

        checks.register(check_national_rules)
        register(WORKER_NOMINATIONS)

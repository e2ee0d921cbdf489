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

        from lindung.claims.reports.background import CHECK_KIND
        from lindung.jobs.kinds import register as register_job

        register_job(CHECK_KIND)

        from lindung.claims.reports.synth import BpjsClaimsCommand
        from lindung.registry.synth.subcommands import register as register_synth

        register_synth("bpjs-claims", BpjsClaimsCommand)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "lindung.billing"
    verbose_name = _("Billing and coverage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lindung.billing import signals

        signals.connect()

        from lindung.billing.reconcile.background import CHECK_KIND
        from lindung.jobs.kinds import register as register_job

        register_job(CHECK_KIND)

        from lindung.billing.background import MAKE_BILLS_KIND

        register_job(MAKE_BILLS_KIND)

        from lindung.billing.sections import WORKER_COVERAGE
        from lindung.registry.sections import register as register_section

        register_section(WORKER_COVERAGE)

        from lindung.billing.reconcile.synth import BpjsRecapCommand
        from lindung.registry.synth.subcommands import register as register_synth

        register_synth("bpjs-recap", BpjsRecapCommand)

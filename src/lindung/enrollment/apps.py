from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "lindung.enrollment"
    verbose_name = _("Enrollment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lindung.enrollment import signals

        signals.connect()

        from lindung.enrollment.sections import WORKER_PARTICIPATIONS
        from lindung.registry.sections import register

        register(WORKER_PARTICIPATIONS)

        from lindung.enrollment.background import BATCH_KIND, CHECK_KIND, COMMIT_KIND
        from lindung.jobs.kinds import register as register_job

        register_job(BATCH_KIND)
        register_job(CHECK_KIND)
        register_job(COMMIT_KIND)

        from lindung.enrollment.synth import BpjsResponseCommand
        from lindung.registry.synth.subcommands import register as register_synth

        register_synth("bpjs-response", BpjsResponseCommand)

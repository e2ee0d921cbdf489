from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating an installation: `lindung setup`, `lindung serve`, `lindung demo`."""

    name = "lindung.ops"
    label = "ops"

from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "lindung.ui"
    label = "ui"

from django.apps import AppConfig


class NettportalConfig(AppConfig):
    name = "nettportal"
    verbose_name = "Platform"

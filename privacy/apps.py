from importlib import import_module

from django.apps import AppConfig, apps


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy and data rights"

    def ready(self):
        # Load every app's personal-data classification (privacy/registry.py).
        for config in apps.get_app_configs():
            try:
                import_module(f"{config.name}.personal_data")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.personal_data":
                    raise

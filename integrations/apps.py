from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "API and webhooks"

    def ready(self):
        from integrations import schema  # noqa: F401  (registers the OpenAPI extensions)

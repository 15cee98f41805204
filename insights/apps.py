from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights and security"

    def ready(self):
        from insights import signals  # noqa: F401

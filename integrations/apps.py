from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "API and webhooks"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from integrations import schema  # noqa: F401  (registers the OpenAPI extensions)
        from integrations.models import WebhookEndpoint

        # Any change to an endpoint (services, admin, a cascade) forgets the cached
        # subscriptions of its organisation.
        post_save.connect(
            _endpoint_changed, sender=WebhookEndpoint, dispatch_uid="np-webhooks-save"
        )
        post_delete.connect(
            _endpoint_changed, sender=WebhookEndpoint, dispatch_uid="np-webhooks-delete"
        )


def _endpoint_changed(sender, instance, **kwargs):
    from integrations.services import webhook_subscriptions_changed

    webhook_subscriptions_changed(instance.organization_id)

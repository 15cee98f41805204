from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Landing pages"

    def ready(self):
        from portal import integrations
        from portal.purchases import fulfil_purchase

        integrations.fulfilment_register(fulfil_purchase)

from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support"

    def ready(self):
        from django.db import transaction
        from django.db.models.signals import post_delete

        from support.models import TicketAttachment

        def remove_file(sender, instance, **kwargs):
            # Storage clean-up only (rows deleted with their ticket or organisation).
            name, storage = instance.file.name, instance.file.storage
            if name:
                transaction.on_commit(lambda: storage.delete(name))

        post_delete.connect(
            remove_file, sender=TicketAttachment, dispatch_uid="support_file_cleanup"
        )

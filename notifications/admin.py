from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "title", "recipient", "organization", "read_at")
    list_filter = ("event", ("created_at", admin.DateFieldListFilter))
    search_fields = ("title", "recipient__email", "organization__name")
    list_select_related = ("recipient", "organization")
    readonly_fields = (
        "organization",
        "recipient",
        "event",
        "title",
        "url",
        "created_at",
        "read_at",
    )

    def has_add_permission(self, request):
        return False

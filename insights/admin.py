from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from insights.models import DailyUsage, RequestLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RequestLog)
class RequestLogAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "kind",
        "method",
        "path",
        "status_code",
        "ip_address",
        "user",
        "organization",
        "via_api_token",
    )
    list_filter = ("kind", "method", "status_code", ("at", admin.DateFieldListFilter))
    search_fields = ("path", "ip_address", "user__email", "organization__name", "via_api_token")
    list_select_related = ("user", "organization")
    date_hierarchy = "at"


@admin.register(DailyUsage)
class DailyUsageAdmin(ReadOnlyAdmin):
    list_display = ("day", "organization", "kind", "name", "events", "users")
    list_filter = ("kind", ("day", admin.DateFieldListFilter))
    search_fields = ("name", "organization__name")
    list_select_related = ("organization",)
    date_hierarchy = "day"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "subtitle": format_html(
                '<a href="{}">Charts: usage insights →</a>', reverse("insights:staff_overview")
            ),
        }
        return super().changelist_view(request, extra_context)

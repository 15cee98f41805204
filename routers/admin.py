"""Staff admin pages for routers (platform staff see every organisation)."""

from django.contrib import admin

from routers.models import (
    ActiveSession,
    InterfaceTrafficSample,
    Router,
    RouterEvent,
    RouterInterface,
    RouterStatusSample,
)


@admin.register(Router)
class RouterAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organization",
        "host",
        "api_port",
        "status",
        "version",
        "last_seen_at",
        "consecutive_failures",
        "is_enabled",
    )
    list_filter = ("status", "is_enabled", "use_tls")
    search_fields = ("name", "host", "identity", "site", "organization__name")
    list_select_related = ("organization",)
    # The password is never shown, not even encrypted.
    exclude = ("password",)
    readonly_fields = (
        "organization",
        "status",
        "status_changed_at",
        "last_seen_at",
        "last_polled_at",
        "last_error",
        "last_error_kind",
        "identity",
        "version",
        "board_name",
        "uptime_seconds",
        "cpu_load",
        "free_memory",
        "total_memory",
        "hotspot_sessions_count",
        "ppp_sessions_count",
        "consecutive_failures",
        "next_poll_at",
        "poll_lease_until",
        "poll_lease_token",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False  # routers are added by operators, with a connection test


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RouterEvent)
class RouterEventAdmin(_ReadOnly):
    list_display = ("created_at", "router", "kind", "message", "organization")
    list_filter = ("kind",)
    search_fields = ("router__name", "message", "organization__name")
    list_select_related = ("router", "organization")
    date_hierarchy = "created_at"


@admin.register(ActiveSession)
class ActiveSessionAdmin(_ReadOnly):
    list_display = ("username", "kind", "router", "address", "uptime_seconds", "seen_at")
    list_filter = ("kind",)
    search_fields = ("username", "address", "mac_address", "router__name")
    list_select_related = ("router",)


@admin.register(RouterInterface)
class RouterInterfaceAdmin(_ReadOnly):
    list_display = ("router", "name", "type", "is_running", "is_disabled", "changed_at")
    list_filter = ("type", "is_running")
    search_fields = ("router__name", "name")
    list_select_related = ("router",)


@admin.register(RouterStatusSample)
class RouterStatusSampleAdmin(_ReadOnly):
    list_display = (
        "taken_at",
        "router",
        "is_reachable",
        "cpu_load",
        "memory_used_percent",
        "hotspot_sessions",
        "ppp_sessions",
    )
    list_filter = ("is_reachable",)
    search_fields = ("router__name",)
    list_select_related = ("router",)
    date_hierarchy = "taken_at"


@admin.register(InterfaceTrafficSample)
class InterfaceTrafficSampleAdmin(_ReadOnly):
    list_display = ("taken_at", "router", "interface", "rx_bytes", "tx_bytes", "counter_reset")
    list_filter = ("counter_reset",)
    search_fields = ("router__name", "interface__name")
    list_select_related = ("router", "interface")
    date_hierarchy = "taken_at"

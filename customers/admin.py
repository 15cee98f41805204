"""Staff admin for customers. Staff see every tenant (the middleware activates
unscoped access under /admin/); opening or changing a customer is written to
the owning organisation's access log, like any other access to personal data."""

from django.contrib import admin

from customers.models import (
    Customer,
    CustomerDevice,
    CustomerEvent,
    CustomerImport,
    PppoeAccount,
    RouterUsageDaily,
    Tag,
    UsageDaily,
    UsageSession,
)


class AccessLoggedAdmin(admin.ModelAdmin):
    """Customer records are created in the dashboard (they need an
    organisation), never here. Staff views and changes are written to the
    access log by privacy's StaffAdminAccessLogMiddleware, for every model
    classified as personal data."""

    def has_add_permission(self, request, obj=None):
        return False


class DeviceInline(admin.TabularInline):
    model = CustomerDevice
    extra = 0
    fields = ("mac_address", "label", "last_ip", "first_seen_at", "last_seen_at")
    readonly_fields = ("first_seen_at", "last_seen_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(AccessLoggedAdmin):
    list_display = (
        "name",
        "phone",
        "email",
        "customer_type",
        "status",
        "organization",
        "created_at",
    )
    list_filter = ("customer_type", "status", "source", "marketing_consent")
    search_fields = ("name", "=phone", "email", "organization__name", "organization__slug")
    list_select_related = ("organization",)
    readonly_fields = (
        "organization",
        "source",
        "marketing_consent_at",
        "status_changed_at",
        "last_seen_at",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("tags",)
    show_full_result_count = False  # no COUNT(*) over every tenant's customers
    list_per_page = 50
    inlines = [DeviceInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "created_at")
    search_fields = ("name", "organization__name")
    list_select_related = ("organization",)
    readonly_fields = ("organization", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(CustomerDevice)
class CustomerDeviceAdmin(AccessLoggedAdmin):
    list_display = ("mac_address", "customer", "organization", "last_ip", "last_seen_at")
    search_fields = ("=mac_address", "customer__name", "organization__name")
    list_select_related = ("customer", "organization")
    raw_id_fields = ("customer",)
    readonly_fields = ("organization", "first_seen_at")
    show_full_result_count = False


@admin.register(CustomerEvent)
class CustomerEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "message", "customer", "organization", "actor")
    list_filter = ("kind",)
    search_fields = ("customer__name", "organization__name")
    list_select_related = ("customer", "organization", "actor")
    raw_id_fields = ("customer", "actor")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # the activity feed is history


@admin.register(CustomerImport)
class CustomerImportAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "organization",
        "status",
        "row_count",
        "error_count",
        "imported_count",
        "created_at",
    )
    list_filter = ("status", "mode")
    search_fields = ("file_name", "organization__name")
    list_select_related = ("organization",)
    readonly_fields = [f.name for f in CustomerImport._meta.fields if f.name != "errors"]
    exclude = ("errors",)

    def has_add_permission(self, request):
        return False


@admin.register(PppoeAccount)
class PppoeAccountAdmin(AccessLoggedAdmin):
    """Staff see an account's state on the router; never its password."""

    list_display = (
        "username",
        "customer",
        "organization",
        "router",
        "profile",
        "sync_state",
        "synced_at",
    )
    list_filter = ("sync_state", "is_enabled")
    search_fields = ("=username", "customer__name", "organization__name")
    list_select_related = ("customer", "organization", "router")
    raw_id_fields = ("customer", "router")
    exclude = ("password",)
    readonly_fields = (
        "organization",
        "sync_state",
        "sync_error",
        "version",
        "synced_version",
        "synced_at",
        "router_secret_id",
        "is_enabled",
        "created_at",
        "updated_at",
    )
    show_full_result_count = False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by polling: staff look, they do not edit."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UsageSession)
class UsageSessionAdmin(ReadOnlyAdmin):
    list_display = (
        "username",
        "kind",
        "customer",
        "router",
        "organization",
        "started_at",
        "ended_at",
        "bytes_in",
        "bytes_out",
    )
    list_filter = ("kind", "end_reason")
    search_fields = ("=username", "=mac_address", "customer__name")
    list_select_related = ("customer", "router", "organization")
    raw_id_fields = ("customer", "router")
    date_hierarchy = "started_at"


@admin.register(UsageDaily)
class UsageDailyAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "customer",
        "organization",
        "bytes_in",
        "bytes_out",
        "seconds",
        "sessions",
    )
    search_fields = ("customer__name", "organization__name")
    list_select_related = ("customer", "organization")
    raw_id_fields = ("customer",)
    date_hierarchy = "day"


@admin.register(RouterUsageDaily)
class RouterUsageDailyAdmin(ReadOnlyAdmin):
    list_display = ("day", "router", "organization", "bytes_in", "bytes_out", "seconds", "sessions")
    search_fields = ("router__name", "organization__name")
    list_select_related = ("router", "organization")
    date_hierarchy = "day"

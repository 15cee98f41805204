from django.contrib import admin

from integrations.models import ApiToken, WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "organization",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (
        ("revoked_at", admin.EmptyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("name", "prefix", "organization__name")
    list_select_related = ("organization", "created_by")
    exclude = ("token_hash",)
    readonly_fields = (
        "organization",
        "name",
        "prefix",
        "scopes",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "last_used_ip",
    )

    def has_add_permission(self, request):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "organization", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description", "organization__name")
    list_select_related = ("organization",)
    exclude = ("secret",)
    readonly_fields = ("organization", "url", "events", "scopes", "created_by", "created_at")

    def has_add_permission(self, request):
        return False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "at", "status_code", "duration_ms", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "event",
        "organization",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
    )
    list_filter = ("status", "event", ("created_at", admin.DateFieldListFilter))
    search_fields = ("event_id", "organization__name", "endpoint__url")
    list_select_related = ("organization", "endpoint")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False

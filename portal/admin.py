"""Staff pages (TenantMiddleware gives staff unscoped access under /admin/)."""

from django.contrib import admin

from portal.models import (
    LandingAsset,
    LandingBlock,
    LandingPage,
    LandingPagePackage,
    LandingPageRouter,
    PortalPurchase,
)


class LandingBlockInline(admin.TabularInline):
    model = LandingBlock
    fields = ("position", "kind", "text", "image_alt")
    extra = 0


@admin.register(LandingPage)
class LandingPageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "organization", "language", "is_published", "updated_at")
    list_filter = ("language", "is_published", "login_method")
    search_fields = ("title", "slug", "organization__name")
    readonly_fields = ("organization", "version", "created_at", "updated_at")
    inlines = [LandingBlockInline]


@admin.register(LandingAsset)
class LandingAssetAdmin(admin.ModelAdmin):
    list_display = (
        "digest",
        "page",
        "organization",
        "content_type",
        "width",
        "height",
        "created_at",
    )
    list_filter = ("content_type",)
    search_fields = ("digest", "page__slug", "organization__name")
    readonly_fields = ("organization", "page", "digest", "content_type", "width", "height")
    exclude = ("content",)


@admin.register(LandingPageRouter)
class LandingPageRouterAdmin(admin.ModelAdmin):
    list_display = ("page", "router", "organization", "created_at")
    search_fields = ("page__slug", "router__name", "organization__name")
    readonly_fields = ("organization", "page", "router", "created_at")


@admin.register(LandingPagePackage)
class LandingPagePackageAdmin(admin.ModelAdmin):
    list_display = ("page", "package", "organization")
    search_fields = ("page__slug", "package__name", "organization__name")
    readonly_fields = ("organization", "page", "package")


@admin.register(PortalPurchase)
class PortalPurchaseAdmin(admin.ModelAdmin):
    """Landing-page purchases, for staff following a payment to its voucher."""

    list_display = (
        "created_at",
        "organization",
        "page",
        "package_name",
        "method",
        "status",
        "access",
        "payment",
    )
    list_filter = ("status", "method", "access")
    search_fields = ("token", "payment__reference", "organization__name", "page__slug")
    date_hierarchy = "created_at"
    list_select_related = ("organization", "page", "payment")
    exclude = ("chap_id", "chap_challenge")
    readonly_fields = [
        field.name
        for field in PortalPurchase._meta.fields
        if field.name not in ("id", "chap_id", "chap_challenge")
    ]

    def has_add_permission(self, request):
        return False

"""Staff admin for billing. Staff see every tenant (the middleware activates
unscoped access under /admin/). Processor secrets are never shown; payment
states are changed through the services, not by editing fields."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from billing.models import (
    BillingSettings,
    CreditEntry,
    Fulfilment,
    Invoice,
    Payment,
    PaymentEvent,
    PlatformFeePlan,
    PlatformInvoice,
    ProcessorAccount,
    Subscription,
)
from nettportal.errors import ApplicationError
from privacy.access_log import access_log_record
from privacy.models import AccessLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    fields = ("created_at", "kind", "message", "actor")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "organization",
        "processor",
        "amount",
        "currency",
        "status",
        "purpose",
        "created_at",
        "paid_at",
    )
    list_filter = ("status", "processor", "currency", "purpose")
    search_fields = (
        "reference",
        "processor_reference",
        "processor_receipt",
        "receipt_number",
        "organization__name",
    )
    list_select_related = ("organization",)
    date_hierarchy = "created_at"
    exclude = ("payer_phone", "payer_email")
    inlines = [PaymentEventInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and getattr(response, "status_code", 200) < 400:
            access_log_record(
                organization=obj.organization,
                action=AccessLog.Action.VIEW,
                target=obj,
                request=request,
                via=AccessLog.Via.ADMIN,
            )
        return response


@admin.register(Fulfilment)
class FulfilmentAdmin(ReadOnlyAdmin):
    list_display = ("payment", "organization", "purpose", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "purpose")
    search_fields = ("payment__reference", "organization__name")
    list_select_related = ("payment", "organization")


@admin.register(ProcessorAccount)
class ProcessorAccountAdmin(ReadOnlyAdmin):
    list_display = (
        "organization",
        "kind",
        "environment",
        "is_enabled",
        "last_test_ok",
        "last_tested_at",
    )
    list_filter = ("kind", "environment", "is_enabled", "last_test_ok")
    search_fields = ("organization__name", "shortcode")
    exclude = ("secrets", "callback_token")
    list_select_related = ("organization",)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "organization", "amount", "currency", "status", "issued_on", "due_on")
    list_filter = ("status", "currency")
    search_fields = ("number", "organization__name")
    list_select_related = ("organization",)
    date_hierarchy = "issued_on"


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("description", "organization", "amount", "currency", "billing_day", "status")
    list_filter = ("status", "currency")
    search_fields = ("description", "organization__name")
    list_select_related = ("organization",)


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyAdmin):
    list_display = ("description", "organization", "amount", "currency", "created_at")
    list_filter = ("currency",)
    search_fields = ("description", "organization__name")
    list_select_related = ("organization",)


class BillingSettingsAdminForm(forms.ModelForm):
    organization_choice = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"), required=False, label=_("Organisation")
    )

    class Meta:
        model = BillingSettings
        fields = ("platform_plan",)

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            organization = data.get("organization_choice")
            if organization is None:
                raise forms.ValidationError(_("Choose the organisation."))
            if BillingSettings.objects.filter(organization=organization).exists():
                raise forms.ValidationError(_("That organisation has settings already: edit them."))
        return data


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    """Staff assign each organisation's platform fee plan here."""

    form = BillingSettingsAdminForm
    list_display = ("organization", "platform_plan", "invoice_due_days", "grace_days")
    list_filter = ("platform_plan",)
    search_fields = ("organization__name", "organization__slug")
    list_select_related = ("organization", "platform_plan")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organization_choice", "platform_plan")
        return ("organization", "platform_plan", "invoice_due_days", "grace_days", "send_receipts")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("organization", "invoice_due_days", "grace_days", "send_receipts")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.organization = form.cleaned_data["organization_choice"]
        super().save_model(request, obj, form, change)


@admin.register(PlatformFeePlan)
class PlatformFeePlanAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "flat_monthly_fee",
        "flat_fee_currency",
        "percent_of_volume",
        "is_default",
    )
    list_filter = ("is_default", "flat_fee_currency")
    search_fields = ("name",)


@admin.action(description=_("Mark selected platform invoices paid"))
def mark_paid(modeladmin, request, queryset):
    from billing.services.platform import platform_invoice_mark_paid

    done = 0
    for invoice in queryset.filter(status=PlatformInvoice.Status.OPEN):
        try:
            platform_invoice_mark_paid(invoice=invoice, actor=request.user, note="Marked in admin")
        except ApplicationError:
            continue
        done += 1
    modeladmin.message_user(request, f"{done} invoice(s) marked paid.", messages.SUCCESS)


@admin.register(PlatformInvoice)
class PlatformInvoiceAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "organization",
        "period_start",
        "currency",
        "volume",
        "total",
        "status",
        "due_on",
        "paid_at",
    )
    list_filter = ("status", "currency", "period_start")
    search_fields = ("number", "organization__name", "organization__slug")
    list_select_related = ("organization",)
    date_hierarchy = "period_start"
    actions = [mark_paid]
    readonly_fields = (
        "organization",
        "number",
        "period_start",
        "period_end",
        "currency",
        "plan_name",
        "payment_count",
        "volume",
        "flat_fee",
        "percent",
        "percent_fee",
        "total",
        "status",
        "issued_at",
        "emailed_at",
        "paid_at",
        "marked_paid_by",
    )
    fields = (*readonly_fields, "due_on", "paid_note")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Staff pages for privacy: policies, exports, deletions and legal holds,
retention rules and what they purged, consent, campaigns, the access log
(read-only, no edit or delete), privacy requests and minor-data reports."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nettportal.errors import ApplicationError
from privacy.models import (
    AccessLog,
    AccountDeletion,
    ConsentEvent,
    DataExport,
    LegalHold,
    MarketingCampaign,
    MarketingConsent,
    MinorDataReport,
    PolicyAcceptance,
    PolicyDocument,
    PrivacyRequest,
    RetentionPurge,
    RetentionRule,
)
from privacy.services import consent as consent_services
from privacy.services import deletion as deletion_services
from privacy.services import policies as policy_services
from privacy.services import reports as report_services
from privacy.services.retention import retention_rules_sync


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records staff may look at but never create, edit or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- policies ------------------------------------------------------------------------------


class PolicyDocumentForm(forms.ModelForm):
    class Meta:
        model = PolicyDocument
        fields = (
            "kind",
            "version",
            "last_updated",
            "effective_on",
            "is_significant",
            "summary",
            "body",
        )

    def clean(self):
        cleaned = super().clean()
        last_updated, effective_on = cleaned.get("last_updated"), cleaned.get("effective_on")
        if last_updated and effective_on and effective_on < last_updated:
            self.add_error(
                "effective_on", _("A version cannot take effect before its “last updated” date.")
            )
        if cleaned.get("is_significant") and not (cleaned.get("summary") or "").strip():
            self.add_error("summary", _("Describe what changed; owners receive it by email."))
        return cleaned


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    form = PolicyDocumentForm
    list_display = (
        "kind",
        "version",
        "last_updated",
        "effective_on",
        "is_significant",
        "published_at",
        "notified_at",
    )
    list_filter = ("kind", "is_significant", ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("version", "summary")
    actions = ["publish"]
    readonly_fields = ("published_at", "published_by", "notified_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            # What users accepted must stay exactly what they read.
            return [f.name for f in PolicyDocument._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.published_at is None

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for document in queryset.filter(published_at__isnull=True):
            try:
                policy_services.policy_publish(document=document, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{document}: {error.message}", messages.ERROR)
            else:
                note = _(" Owners are being emailed.") if document.is_significant else ""
                self.message_user(request, f"{document}: {_('published.')}{note}")


@admin.register(PolicyAcceptance)
class PolicyAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("user", "document", "accepted_at", "ip_address")
    list_filter = ("document__kind", "document")
    search_fields = ("user__email",)
    list_select_related = ("user", "document")


# --- access log ------------------------------------------------------------------------------


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "organization",
        "actor_label",
        "action",
        "via",
        "target_type",
        "target_id",
        "ip_address",
    )
    list_filter = ("action", "via", "target_type")
    search_fields = ("actor_label", "target_type", "target_id", "organization__name")
    list_select_related = ("organization",)
    date_hierarchy = "at"


# --- exports --------------------------------------------------------------------------------


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "organization",
        "kind",
        "status",
        "created_at",
        "finished_at",
        "expires_at",
        "file_size",
        "download_count",
    )
    list_filter = ("kind", "status")
    search_fields = ("organization__name", "organization__slug")
    list_select_related = ("organization",)
    exclude = ("file_name",)  # staff have no business downloading tenants' exports


# --- deletion and legal holds -------------------------------------------------------------------


class LegalHoldInline(admin.TabularInline):
    model = LegalHold
    extra = 0
    fields = ("reason", "placed_by", "placed_at", "released_at", "released_by", "release_note")
    readonly_fields = ("placed_by", "placed_at", "released_at", "released_by", "release_note")
    can_delete = False


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ReadOnlyAdmin):
    list_display = (
        "organization_ref",
        "organization",
        "status",
        "requested_at",
        "scheduled_for",
        "completed_at",
        "on_hold",
    )
    list_filter = ("status",)
    search_fields = ("organization__name", "organization_ref")
    list_select_related = ("organization",)
    actions = ["cancel_deletion"]

    @admin.display(boolean=True, description=_("legal hold"))
    def on_hold(self, obj):
        return obj.organization_id is not None and deletion_services.has_active_hold(
            obj.organization_id
        )

    @admin.action(description=_("Cancel the selected scheduled deletions"))
    def cancel_deletion(self, request, queryset):
        for deletion in queryset.filter(status=AccountDeletion.Status.SCHEDULED):
            try:
                deletion_services.organization_deletion_cancel(
                    deletion=deletion, actor=request.user
                )
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("Deletion %(id)s cancelled.") % {"id": deletion.pk})


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("organization", "reason")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(_("Give the reason for the hold (10 characters or more)."))
        return reason


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    form = LegalHoldForm
    list_display = ("organization", "placed_by", "placed_at", "released_at", "is_active")
    list_filter = (("released_at", admin.EmptyFieldListFilter),)
    search_fields = ("organization__name", "reason")
    list_select_related = ("organization", "placed_by")
    autocomplete_fields = ("organization",)
    actions = ["release"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return (
                "organization",
                "reason",
                "placed_by",
                "placed_at",
                "released_at",
                "released_by",
                "release_note",
            )
        return ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        hold = deletion_services.legal_hold_place(
            organization=form.cleaned_data["organization"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        obj.pk = hold.pk

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, obj):
        return obj.is_active

    @admin.action(description=_("Release the selected holds"))
    def release(self, request, queryset):
        for hold in queryset.filter(released_at__isnull=True):
            deletion_services.legal_hold_release(hold=hold, actor=request.user)
        self.message_user(request, _("Holds released; due deletions proceed at the next run."))


# --- retention -----------------------------------------------------------------------------------


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = (
        "retention_class",
        "days",
        "default_days",
        "setting",
        "effective_days",
        "is_enabled",
        "description",
        "updated_at",
        "updated_by",
    )
    list_editable = ("days", "is_enabled")
    list_filter = ("is_enabled",)
    search_fields = ("retention_class",)
    readonly_fields = ("retention_class", "updated_at", "updated_by")
    fields = ("retention_class", "days", "is_enabled", "updated_at", "updated_by")

    def has_add_permission(self, request):
        return False  # classes come from the registry

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        retention_rules_sync()  # a class an app declared since the last sweep shows up here
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(RetentionPurge)
class RetentionPurgeAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "retention_class",
        "model_label",
        "reason",
        "days",
        "cutoff",
        "deleted",
        "status",
        "finished_at",
    )
    list_filter = ("retention_class", "status", "reason")
    search_fields = ("model_label", "message")
    date_hierarchy = "started_at"


# --- consent and marketing ---------------------------------------------------------------------


@admin.register(MarketingConsent)
class MarketingConsentAdmin(ReadOnlyAdmin):
    list_display = ("user", "topic", "is_granted", "changed_at")
    list_filter = ("topic", "is_granted")
    search_fields = ("user__email",)
    list_select_related = ("user",)


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "topic", "is_granted", "source", "ip_address")
    list_filter = ("topic", "is_granted", "source")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    date_hierarchy = "at"


@admin.register(MarketingCampaign)
class MarketingCampaignAdmin(admin.ModelAdmin):
    list_display = (
        "subject",
        "topic",
        "status",
        "created_at",
        "sent_at",
        "recipient_count",
        "consenting_now",
    )
    list_filter = ("topic", "status")
    search_fields = ("subject",)
    readonly_fields = ("status", "created_by", "created_at", "sent_at", "recipient_count")
    actions = ["send"]

    @admin.display(description=_("opted in now"))
    def consenting_now(self, obj):
        return MarketingConsent.objects.filter(topic=obj.topic, is_granted=True).count()

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != MarketingCampaign.Status.DRAFT:
            return [f.name for f in MarketingCampaign._meta.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send to users who opted in"))
    def send(self, request, queryset):
        for campaign in queryset:
            try:
                consent_services.marketing_campaign_send(campaign=campaign, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{campaign}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{campaign}: {_('sending.')}")


# --- requests and reports -------------------------------------------------------------------------


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "organization",
        "kind",
        "status",
        "source",
        "received_at",
        "due_at",
        "overdue",
    )
    list_filter = ("status", "kind", "source")
    search_fields = ("reference", "organization__name")
    list_select_related = ("organization",)
    date_hierarchy = "received_at"

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj):
        return obj.is_overdue


@admin.register(MinorDataReport)
class MinorDataReportAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "concerns", "status", "where", "handled_by", "closed_at")
    list_filter = ("status", "concerns")
    search_fields = ("reporter_email", "where", "details")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user", "organization")
    readonly_fields = (
        "reporter_name",
        "reporter_email",
        "concerns",
        "where",
        "details",
        "created_at",
        "privacy_request",
        "handled_by",
        "closed_at",
        "status",
        "outcome_so_far",
    )
    fields = (
        "reporter_name",
        "reporter_email",
        "concerns",
        "where",
        "details",
        "created_at",
        "status",
        "user",
        "organization",
        "privacy_request",
        "outcome_so_far",
        "outcome",
        "handled_by",
        "closed_at",
    )
    actions = ["delete_reported_user", "forward_to_operator", "close_without_action"]

    def has_add_permission(self, request):
        return False  # reports come from the public form

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("outcome so far"))
    def outcome_so_far(self, obj):
        return obj.outcome

    def save_model(self, request, obj, form, change):
        # Staff identify the account / operator and may add a note; the outcome
        # field is appended to, never rewritten.
        previous = MinorDataReport.objects.get(pk=obj.pk)
        note = (form.cleaned_data.get("outcome") or "").strip()
        if note and note != previous.outcome:
            stamp = timezone.now().strftime("%Y-%m-%d %H:%M")
            obj.outcome = (previous.outcome + "\n" if previous.outcome else "") + (
                f"[{stamp} {request.user.email}] {note}"
            )
        else:
            obj.outcome = previous.outcome
        if obj.status == MinorDataReport.Status.NEW:
            obj.status = MinorDataReport.Status.INVESTIGATING
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Delete the identified user account"))
    def delete_reported_user(self, request, queryset):
        for report in queryset:
            if report.user is None:
                self.message_user(
                    request,
                    _("Report %(id)s: identify the user first.") % {"id": report.pk},
                    messages.ERROR,
                )
                continue
            try:
                report_services.minor_report_delete_user(
                    report=report, user=report.user, actor=request.user
                )
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("Report %(id)s: done.") % {"id": report.pk})

    @admin.action(description=_("Forward to the identified operator as an erasure request"))
    def forward_to_operator(self, request, queryset):
        for report in queryset:
            if report.organization is None:
                self.message_user(
                    request,
                    _("Report %(id)s: identify the operator first.") % {"id": report.pk},
                    messages.ERROR,
                )
                continue
            try:
                privacy_request = report_services.minor_report_forward(
                    report=report, organization=report.organization, actor=request.user
                )
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Report %(id)s forwarded as %(ref)s.")
                    % {"id": report.pk, "ref": privacy_request.reference},
                )

    @admin.action(description=_("Close without action (uses the outcome note)"))
    def close_without_action(self, request, queryset):
        for report in queryset:
            try:
                report_services.minor_report_close(
                    report=report, actor=request.user, outcome=report.outcome or ""
                )
            except ApplicationError as error:
                self.message_user(request, f"{report}: {error.message}", messages.ERROR)

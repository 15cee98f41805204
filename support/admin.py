"""The staff queue: tickets of every organisation, with filters, the thread,
the history and a reply box (replies email the operator)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import path

from nettportal.errors import ApplicationError
from privacy.access_log import access_log_record
from privacy.models import AccessLog
from support import selectors, services
from support.attachments import check_attachments
from support.forms import StaffReplyForm
from support.models import Ticket, TicketAttachment
from support.views import attachment_response


class TicketAdminForm(forms.ModelForm):
    reply = StaffReplyForm.base_fields["reply"]
    is_internal = StaffReplyForm.base_fields["is_internal"]
    reply_attachments = StaffReplyForm.base_fields["reply_attachments"]

    class Meta:
        model = Ticket
        fields = ["status", "priority", "category", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            is_staff=True, is_active=True
        )

    def clean_reply_attachments(self):
        files = self.cleaned_data.get("reply_attachments") or []
        try:
            check_attachments(files)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None
        return files

    def clean(self):
        data = super().clean()
        if data.get("reply_attachments") and not (data.get("reply") or "").strip():
            self.add_error("reply", "Write a reply to send the attachments with.")
        return data


class AwaitingStaffFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", "Assigned to me"), ("unassigned", "Unassigned and open")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assignee=request.user)
        if self.value() == "unassigned":
            return queryset.filter(assignee__isnull=True, status=Ticket.Status.OPEN)
        return queryset


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    form = TicketAdminForm
    change_form_template = "admin/support/ticket/change_form.html"
    list_display = (
        "id",
        "subject",
        "organization",
        "category",
        "priority",
        "status",
        "assignee",
        "last_message_at",
    )
    list_display_links = ("id", "subject")
    list_filter = (AwaitingStaffFilter, "status", "priority", "category", "assignee")
    search_fields = ("=id", "subject", "organization__name", "organization__slug")
    list_select_related = ("organization", "assignee")
    readonly_fields = ("subject", "organization", "opened_by", "created_at", "last_message_at")
    fieldsets = (
        (
            None,
            {"fields": ("subject", "organization", "opened_by", "created_at", "last_message_at")},
        ),
        ("Triage", {"fields": ("status", "priority", "category", "assignee")}),
        ("Reply", {"fields": ("reply", "is_internal", "reply_attachments")}),
    )
    ordering = ("-last_message_at",)

    def has_add_permission(self, request):
        return False  # operators open tickets from the dashboard

    def get_urls(self):
        return [
            path(
                "attachment/<int:ticketattachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="support_ticket_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, ticketattachment_id):
        attachment = get_object_or_404(TicketAttachment, pk=ticketattachment_id)
        access_log_record(
            organization=attachment.organization,
            action=AccessLog.Action.VIEW,
            target=attachment,
            request=request,
            via=AccessLog.Via.ADMIN,
        )
        return attachment_response(attachment)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if ticket is not None:
            if request.method == "GET":
                access_log_record(
                    organization=ticket.organization,
                    action=AccessLog.Action.VIEW,
                    target=ticket,
                    request=request,
                    via=AccessLog.Via.ADMIN,
                )
            extra_context["thread"] = selectors.ticket_thread(ticket=ticket, include_internal=True)
            extra_context["history"] = selectors.ticket_history(
                ticket=ticket, include_internal=True
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Changes go through the services (history, emails), never obj.save()."""
        data = form.cleaned_data
        ticket = Ticket.objects.get(pk=obj.pk)
        status_changed = "status" in form.changed_data
        try:
            if (data.get("reply") or "").strip():
                services.ticket_reply(
                    ticket=ticket,
                    actor=request.user,
                    body=data["reply"],
                    files=data.get("reply_attachments") or [],
                    as_staff=True,
                    is_internal=data.get("is_internal", False),
                    new_status=data["status"] if status_changed else None,
                )
                status_changed = status_changed and data.get("is_internal", False)
            services.ticket_update(
                ticket=ticket,
                actor=request.user,
                status=data["status"] if status_changed else None,
                priority=data["priority"],
                category=data["category"],
                assignee=data["assignee"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)

    def save_related(self, request, form, formsets, change):
        pass  # no inlines; the reply was handled in save_model

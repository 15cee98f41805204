from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from insights.analytics import track_feature
from nettportal.errors import ApplicationError
from privacy.access_log import access_log_record
from privacy.models import AccessLog
from support import selectors, services
from support.forms import ReplyForm, TicketForm
from support.models import Ticket, TicketAttachment


def _form_error(form, error: ApplicationError):
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@org_permission_required("support.view")
def ticket_index(request):
    status = request.GET.get("status", "active")
    tickets = selectors.ticket_list(organization=request.organization, status=status)
    page = Paginator(tickets, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "support/ticket_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": [("active", _("Active")), *Ticket.Status.choices, ("all", _("All"))],
            "querystring": f"status={status}",
            "can_manage": has_org_permission(request, "support.manage"),
        },
    )


@org_permission_required("support.manage")
def ticket_create(request):
    form = TicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(
                organization=request.organization,
                actor=request.user,
                subject=form.cleaned_data["subject"],
                category=form.cleaned_data["category"],
                priority=form.cleaned_data["priority"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            track_feature(request, "support.ticket_opened")
            messages.success(
                request, _("Ticket #%(n)s opened. We will reply by email.") % {"n": ticket.pk}
            )
            return redirect("support:ticket_detail", ticket_id=ticket.pk)
    return render(request, "support/ticket_create.html", {"form": form})


@org_permission_required("support.view")
def ticket_detail(request, ticket_id):
    ticket = get_object_or_404(Ticket.objects.select_related("opened_by"), pk=ticket_id)
    can_manage = has_org_permission(request, "support.manage")
    form = ReplyForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.ticket_reply(
                    ticket=ticket,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["attachments"],
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Reply sent."))
                return redirect("support:ticket_detail", ticket_id=ticket.pk)
    return render(
        request,
        "support/ticket_detail.html",
        {
            "ticket": ticket,
            "thread": selectors.ticket_thread(ticket=ticket),
            "history": selectors.ticket_history(ticket=ticket),
            "form": form,
            "can_manage": can_manage,
        },
    )


@require_POST
@org_permission_required("support.manage")
def ticket_status(request, ticket_id):
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    try:
        services.ticket_set_status_by_operator(
            ticket=ticket, actor=request.user, status=request.POST.get("status", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Ticket marked %(s)s.") % {"s": ticket.get_status_display().lower()}
        )
    return redirect("support:ticket_detail", ticket_id=ticket.pk)


def attachment_response(attachment: TicketAttachment) -> FileResponse:
    """Always a download, never rendered inline, so an uploaded file cannot run
    in our origin."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@org_permission_required("support.view")
def attachment_download(request, ticket_id, ticketattachment_id):
    attachment = get_object_or_404(
        TicketAttachment.objects.select_related("message"),
        pk=ticketattachment_id,
        message__ticket_id=ticket_id,
        message__is_internal=False,
    )
    access_log_record(
        organization=request.organization,
        action=AccessLog.Action.VIEW,
        target=attachment,
        request=request,
    )
    return attachment_response(attachment)

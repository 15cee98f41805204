"""CSV import pages: upload, progress and preview, run, cancel, report."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import org_permission_required
from customers import selectors
from customers.forms import ImportUploadForm
from customers.models import CustomerImport
from customers.services import imports as services
from customers.views.common import form_error, log_access, tenant_stream
from nettportal.errors import ApplicationError
from privacy.models import AccessLog


@org_permission_required("customers.manage")
def import_upload(request):
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, max_bytes=settings.CUSTOMERS_IMPORT_MAX_BYTES
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            customer_import = services.customer_import_create(
                organization=request.organization,
                actor=request.user,
                file_name=upload.name,
                data=upload.read(),
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            _check(request, customer_import)
            return redirect("customers:import_detail", customerimport_id=customer_import.pk)
    return render(
        request,
        "customers/import_upload.html",
        {"form": form, "imports": selectors.import_list(), "columns": _column_help()},
    )


def _check(request, customer_import):
    """Small files are checked now; large ones by a worker while a progress bar runs."""
    if customer_import.row_count <= settings.CUSTOMERS_IMPORT_INLINE_ROWS:
        services.customer_import_validate(customer_import_id=customer_import.pk)
        return
    from customers.tasks import validate_customer_import_task

    org_id, import_id = request.organization.pk, customer_import.pk
    transaction.on_commit(lambda: validate_customer_import_task.delay(org_id, import_id))


def _column_help():
    return [
        ("name", _("required")),
        ("phone", _("any format; local numbers are read in your country")),
        ("email", ""),
        ("type", _("hotspot or pppoe (pppoe when a PPPoE username is given)")),
        ("status", _("active, suspended or closed (default active)")),
        ("address", ""),
        ("notes", ""),
        ("tags", _("separated by commas or semicolons")),
        ("marketing_consent", _("yes only when the customer agreed (default no)")),
        ("pppoe_username", _("PPPoE customers")),
        ("pppoe_password", _("PPPoE customers, at least 6 characters")),
        ("package", _("PPPoE customers: an existing package")),
        ("router", _("PPPoE customers: the router's name (optional with one router)")),
    ]


@org_permission_required("customers.manage")
def import_detail(request, customerimport_id):
    customer_import = get_object_or_404(
        CustomerImport.objects.select_related("job", "created_by"), pk=customerimport_id
    )
    error_rows = []
    if not customer_import.is_busy and customer_import.error_count:
        error_rows = services.customer_import_errors_page(customer_import)
        log_access(
            request,
            AccessLog.Action.VIEW,
            target=customer_import,
            detail={"rows_shown": len(error_rows)},
        )
    return render(
        request,
        "customers/import_detail.html",
        {
            "imp": customer_import,
            "error_rows": error_rows,
            "columns": customer_import.columns,
            "more_errors": max(customer_import.error_count - len(error_rows), 0),
        },
    )


@org_permission_required("customers.manage")
def import_status(request, customerimport_id):
    """Polled by the progress page: 204 while busy, a redirect to reload when done."""
    customer_import = get_object_or_404(CustomerImport, pk=customerimport_id)
    if customer_import.is_busy:
        return HttpResponse(status=204)
    response = HttpResponse("")
    response["HX-Redirect"] = reverse("customers:import_detail", args=[customer_import.pk])
    return response


@require_POST
@org_permission_required("customers.manage")
def import_run(request, customerimport_id):
    customer_import = get_object_or_404(CustomerImport, pk=customerimport_id)
    try:
        customer_import = services.customer_import_start(
            customer_import=customer_import,
            actor=request.user,
            mode=request.POST.get("mode", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("customers:import_detail", customerimport_id=customer_import.pk)
    log_access(
        request,
        AccessLog.Action.CREATE,
        target=customer_import,
        detail={"import": customer_import.mode, "rows": customer_import.valid_count},
    )
    if customer_import.valid_count <= settings.CUSTOMERS_IMPORT_INLINE_ROWS:
        customer_import = services.customer_import_execute(
            customer_import_id=customer_import.pk, actor=request.user
        )
        if customer_import.status == CustomerImport.Status.IMPORTED:
            messages.success(request, customer_import.message)
        else:
            messages.error(request, customer_import.message)
    else:
        from customers.tasks import run_customer_import_task

        org_id, import_id = request.organization.pk, customer_import.pk
        transaction.on_commit(lambda: run_customer_import_task.delay(org_id, import_id))
    return redirect("customers:import_detail", customerimport_id=customer_import.pk)


@require_POST
@org_permission_required("customers.manage")
def import_cancel(request, customerimport_id):
    customer_import = get_object_or_404(CustomerImport, pk=customerimport_id)
    if services.customer_import_cancel(customer_import=customer_import):
        messages.success(request, _("Import cancelled; nothing was imported."))
    else:
        messages.info(request, _("This import can no longer be cancelled."))
    return redirect("customers:import_upload")


@org_permission_required("customers.manage")
def import_report(request, customerimport_id):
    customer_import = get_object_or_404(CustomerImport, pk=customerimport_id)
    if customer_import.is_busy or customer_import.status == CustomerImport.Status.CANCELLED:
        messages.info(request, _("The report is ready once the rows are checked."))
        return redirect("customers:import_detail", customerimport_id=customer_import.pk)
    log_access(request, AccessLog.Action.EXPORT, target=customer_import, detail={"report": True})
    response = StreamingHttpResponse(
        tenant_stream(request.organization, services.customer_import_report_lines(customer_import)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="import-{customer_import.pk}-report.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response

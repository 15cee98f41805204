import csv
import io
import math

from django.contrib import messages
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from vouchers import exports, printing, selectors, services
from vouchers.forms import BatchForm, PrintForm, PushForm
from vouchers.models import Voucher, VoucherBatch
from vouchers.views.common import form_error, page_of

BATCHES_PER_PAGE = 25
PRINT_PART_SIZE = 1000  # cards per PDF (a few seconds); bigger batches print in parts


@org_permission_required("vouchers.view")
def batch_list(request):
    page = page_of(request, selectors.batch_list(), BATCHES_PER_PAGE)
    counts = selectors.batch_status_counts(batch.pk for batch in page.object_list)
    rows = [(batch, counts[batch.pk]) for batch in page.object_list]
    return render(
        request,
        "vouchers/batch_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "can_manage": has_org_permission(request, "vouchers.manage"),
        },
    )


@org_permission_required("vouchers.manage")
def batch_create(request):
    form = BatchForm(
        request.POST or None,
        organization=request.organization,
        initial={"package": request.GET.get("package")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.voucher_batch_create(
                organization=request.organization,
                actor=request.user,
                package=data["package"],
                quantity=data["quantity"],
                code_length=data["code_length"],
                prefix=data["prefix"],
                group_size=data["group_size"],
                alphabet=data["alphabet"],
                pin_length=data["pin_length"],
                expires_at=form.expires_at(),
                note=data["note"],
                qr_url_template=data["qr_url_template"],
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Generating %(n)s vouchers.") % {"n": batch.quantity})
            return redirect("vouchers:batch_detail", voucherbatch_id=batch.pk)
    return render(request, "vouchers/batch_form.html", {"form": form})


def _get_batch(voucherbatch_id):
    return get_object_or_404(
        VoucherBatch.objects.select_related("package", "job", "created_by"), pk=voucherbatch_id
    )


@org_permission_required("vouchers.view")
def batch_detail(request, voucherbatch_id):
    batch = _get_batch(voucherbatch_id)
    counts = selectors.batch_status_counts([batch.pk])[batch.pk]
    counts["total"] = sum(counts.values())
    printable = counts["unused"]
    return render(
        request,
        "vouchers/batch_detail.html",
        {
            "batch": batch,
            "counts": counts,
            "live": counts["unused"] + counts["active"],
            "pushes": list(selectors.batch_pushes(batch)),
            "print_form": PrintForm(),
            "parts": range(1, max(1, math.ceil(printable / PRINT_PART_SIZE)) + 1),
            "part_size": PRINT_PART_SIZE,
            "can_manage": has_org_permission(request, "vouchers.manage"),
        },
    )


@org_permission_required("vouchers.manage")
def batch_pdf(request, voucherbatch_id):
    batch = _get_batch(voucherbatch_id)
    form = PrintForm(request.GET or None)
    if not form.is_valid() or not batch.is_ready:
        messages.error(
            request,
            _("Choose a paper and a grid of at most 6 × 12 cards.")
            if batch.is_ready
            else _("Wait until the batch is generated."),
        )
        return redirect("vouchers:batch_detail", voucherbatch_id=batch.pk)
    data = form.cleaned_data
    layout = printing.Layout(
        paper=data["paper"],
        columns=data["columns"] or 3,
        rows=data["rows"] or 8,
        show_qr=data["show_qr"],
    )
    vouchers = Voucher.objects.filter(batch=batch)
    if data["only_unused"]:
        vouchers = vouchers.filter(status=Voucher.Status.UNUSED)
    part = data.get("part") or 1
    start = (part - 1) * PRINT_PART_SIZE
    cards = vouchers.order_by("pk").values_list("code", "pin")[start : start + PRINT_PART_SIZE]
    info = printing.card_info(
        organization=request.organization,
        package=batch.package,
        batch=batch,
        settings_row=selectors.voucher_settings_for(request.organization),
    )
    buffer = io.BytesIO()
    printing.render_cards(
        buffer,
        info=info,
        cards=list(cards),
        layout=layout,
        title=f"Batch {batch.pk} — {batch.package.name}",
    )
    buffer.seek(0)
    suffix = f"-part{part}" if part > 1 else ""
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"vouchers-batch-{batch.pk}{suffix}.pdf",
        content_type="application/pdf",
    )


class _Echo:
    def write(self, value):
        return value


@org_permission_required("vouchers.manage")
def batch_csv(request, voucherbatch_id):
    batch = _get_batch(voucherbatch_id)
    writer = csv.writer(_Echo())
    rows = exports.batch_rows(batch=batch, organization=request.organization)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="vouchers-batch-{batch.pk}.csv"'
    return response


@org_permission_required("vouchers.manage")
def batch_push(request, voucherbatch_id):
    batch = _get_batch(voucherbatch_id)
    form = PushForm(request.POST or None, package=batch.package)
    if request.method == "POST" and form.is_valid():
        try:
            pushes = services.batch_push_start(
                batch=batch, routers=form.cleaned_data["routers"], actor=request.user
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Pushing to %(n)s router(s).") % {"n": len(pushes)})
            return redirect("vouchers:batch_detail", voucherbatch_id=batch.pk)
    return render(request, "vouchers/batch_push.html", {"batch": batch, "form": form})


@org_permission_required("vouchers.manage")
def batch_revoke(request, voucherbatch_id):
    batch = _get_batch(voucherbatch_id)
    if request.method == "POST":
        count = services.vouchers_revoke(
            organization=request.organization, actor=request.user, batch=batch
        )
        messages.success(
            request,
            _("%(n)s voucher(s) revoked; they are being removed from your routers.") % {"n": count},
        )
        return redirect("vouchers:batch_detail", voucherbatch_id=batch.pk)
    counts = selectors.batch_status_counts([batch.pk])[batch.pk]
    return render(
        request,
        "vouchers/confirm.html",
        {
            "title": _("Revoke batch %(id)s") % {"id": batch.pk},
            "message": _(
                "Revoke the %(n)s unused and active voucher(s) of this batch? They stop "
                "working at once and are removed from every router. This cannot be undone."
            )
            % {"n": counts["unused"] + counts["active"]},
            "confirm_label": _("Revoke vouchers"),
            "cancel_href": reverse("vouchers:batch_detail", kwargs={"voucherbatch_id": batch.pk}),
        },
    )

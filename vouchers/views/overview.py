from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from vouchers import selectors, services
from vouchers.charts import sales_chart
from vouchers.forms import VoucherSettingsForm
from vouchers.models import Package, Voucher
from vouchers.printing import qr_template_for, qr_url
from vouchers.views.common import form_error


@org_permission_required("vouchers.view")
def overview(request):
    organization = request.organization
    sales = selectors.sales_summary(organization=organization)
    batches = list(selectors.batch_list()[:5])
    counts = selectors.batch_status_counts(batch.pk for batch in batches)
    return render(
        request,
        "vouchers/overview.html",
        {
            "counts": selectors.status_counts(Voucher.objects.all()),
            "sales": sales,
            "sales_chart": sales_chart(sales, currency=organization.currency),
            "batches": [(batch, counts[batch.pk]) for batch in batches],
            "package_count": Package.objects.count(),
            "router_actions": list(selectors.recent_router_actions()),
            "can_manage": has_org_permission(request, "vouchers.manage"),
        },
    )


@org_permission_required("vouchers.view")
def voucher_settings_view(request):
    organization = request.organization
    row = selectors.voucher_settings_for(organization)
    example = qr_url(
        qr_template_for(None, row), code="NET-7K4M-Q9RT", organization_slug=organization.slug
    )
    can_manage = has_org_permission(request, "vouchers.manage")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = VoucherSettingsForm(request.POST, request.FILES, instance=row)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            if fields["logo"] is False:  # "clear" ticked
                fields["logo"] = ""
            elif fields["logo"] is None:
                fields.pop("logo")
            try:
                services.voucher_settings_update(
                    organization=organization, actor=request.user, **fields
                )
            except ApplicationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Voucher settings saved."))
                return redirect("vouchers:settings")
    else:
        form = VoucherSettingsForm(instance=row)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "vouchers/settings.html",
        {"form": form, "can_manage": can_manage, "qr_example": example},
    )

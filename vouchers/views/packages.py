from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from vouchers import selectors, services
from vouchers.forms import PackageForm
from vouchers.models import Package
from vouchers.views.common import form_error


@org_permission_required("vouchers.view")
def package_list(request):
    return render(
        request,
        "vouchers/package_list.html",
        {
            "packages": selectors.package_list(),
            "can_manage": has_org_permission(request, "vouchers.manage"),
        },
    )


@org_permission_required("vouchers.manage")
def package_create(request):
    form = PackageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            package = services.package_create(
                organization=request.organization, actor=request.user, **form.service_fields()
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Package “%(name)s” created; it is being added to your routers.")
                % {"name": package.name},
            )
            return redirect("vouchers:package_detail", package_id=package.pk)
    return render(request, "vouchers/package_form.html", {"form": form, "package": None})


@org_permission_required("vouchers.view")
def package_detail(request, package_id):
    package = get_object_or_404(Package, pk=package_id)
    return render(
        request,
        "vouchers/package_detail.html",
        {
            "package": package,
            "router_rows": selectors.package_routers_state(package),
            "counts": selectors.status_counts(package.vouchers.all()),
            "can_manage": has_org_permission(request, "vouchers.manage"),
        },
    )


@org_permission_required("vouchers.manage")
def package_edit(request, package_id):
    package = get_object_or_404(Package, pk=package_id)
    form = PackageForm(request.POST or None, package=package)
    if request.method == "POST" and form.is_valid():
        try:
            services.package_update(package=package, actor=request.user, **form.service_fields())
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Package saved."))
            return redirect("vouchers:package_detail", package_id=package.pk)
    return render(request, "vouchers/package_form.html", {"form": form, "package": package})


@org_permission_required("vouchers.manage")
def package_delete(request, package_id):
    package = get_object_or_404(Package, pk=package_id)
    if request.method == "POST":
        try:
            services.package_delete(package=package, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("vouchers:package_detail", package_id=package.pk)
        messages.success(request, _("Package deleted; its profile is removed from your routers."))
        return redirect("vouchers:packages")
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Delete package"),
            "message": _(
                "Delete “%(name)s”? Its hotspot profile is removed from your routers. "
                "A package with vouchers cannot be deleted; make it inactive instead."
            )
            % {"name": package.name},
            "confirm_label": _("Delete package"),
            "cancel_url": "vouchers:packages",
        },
    )


@require_POST
@org_permission_required("vouchers.manage")
def package_sync_now(request, package_id):
    package = get_object_or_404(Package, pk=package_id)
    services.package_sync_request(package=package, actor=request.user)
    messages.success(request, _("Sync started; reload in a moment to see the result."))
    return redirect("vouchers:package_detail", package_id=package.pk)

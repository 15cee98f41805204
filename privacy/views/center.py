"""The privacy centre: overview, organisation exports and the access log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from privacy import selectors
from privacy.forms import AccessLogFilterForm
from privacy.models import DataExport
from privacy.registry import customer_model
from privacy.services import exports as export_services
from privacy.services.retention import retention_days
from privacy.views.common import paginate, querystring_without_page


@org_permission_required("org.view")
def index(request):
    organization = request.organization
    context = {
        "can_privacy": has_org_permission(request, "privacy.view"),
        "can_delete": has_org_permission(request, "org.delete"),
        "can_access_log": has_org_permission(request, "accesslog.view"),
        "deletion": selectors.deletion_active(organization=organization),
        "has_customers": customer_model() is not None,
    }
    if context["can_privacy"]:
        context["request_counts"] = selectors.privacy_request_counts(organization=organization)
        context["latest_export"] = selectors.export_list(organization=organization).first()
    return render(request, "privacy/center_index.html", context)


@org_permission_required("privacy.view")
def export_list(request):
    organization = request.organization
    if request.method == "POST":
        if not has_org_permission(request, "privacy.manage"):
            raise PermissionDenied
        try:
            export_services.organization_export_request(
                organization=organization, actor=request.user, request=request
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Your export is being prepared. We will email you a download link too."),
            )
        return redirect("privacy:export_list")
    page = paginate(request, selectors.export_list(organization=organization), per_page=20)
    for export in page.object_list:
        export.download_path = (
            export_services.export_download_path(export) if export.is_downloadable else ""
        )
    return render(
        request,
        "privacy/export_list.html",
        {
            "page_obj": page,
            "active": selectors.export_active(organization=organization),
            "can_manage": has_org_permission(request, "privacy.manage"),
            "link_days": _link_days(),
        },
    )


def _link_days():
    from django.conf import settings

    return settings.PRIVACY_EXPORT_LINK_DAYS


@org_permission_required("privacy.view")
def export_status(request, dataexport_id):
    """The progress fragment htmx polls until the export is ready."""
    export = get_object_or_404(DataExport.objects.select_related("job"), pk=dataexport_id)
    export.download_path = (
        export_services.export_download_path(export) if export.is_downloadable else ""
    )
    return render(request, "privacy/includes/export_status.html", {"export": export})


@org_permission_required("privacy.view")
def export_download(request, dataexport_id):
    """The signed link from the email (or the list): a member with the privacy
    permission of the same organisation, within the link's lifetime."""
    export = get_object_or_404(DataExport, pk=dataexport_id)
    try:
        export_services.export_check_token(export=export, token=request.GET.get("t", ""))
    except ApplicationError as error:
        return render(
            request, "privacy/export_unavailable.html", {"message": error.message}, status=410
        )
    path = export_services.export_file_path(export)
    if not path.exists():
        raise Http404
    export_services.export_record_download(export=export, actor=request.user, request=request)
    stamp = (export.finished_at or export.created_at).strftime("%Y%m%d-%H%M")
    filename = f"nettportal-{export.kind}-export-{export.organization_id}-{stamp}.zip"
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename)  # noqa: SIM115
    response["Cache-Control"] = "private, no-store"
    return response


@org_permission_required("accesslog.view")
def access_log(request):
    organization = request.organization
    form = AccessLogFilterForm(
        request.GET or None,
        target_types=selectors.access_log_target_types(organization=organization),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.access_log_list(organization=organization, filters=filters)
    page = paginate(request, entries.select_related(None), per_page=50)
    return render(
        request,
        "privacy/access_log.html",
        {
            "form": form,
            "page_obj": page,
            "querystring": querystring_without_page(request),
            "kept_days": retention_days("access_log"),
        },
    )

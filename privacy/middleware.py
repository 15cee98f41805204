"""Privacy middleware: suspension of organisations scheduled for deletion, and
the access log of staff looking at personal data in the Django admin."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class SuspendedOrganizationMiddleware:
    """An organisation whose deletion is scheduled is suspended at once.

    Its members still reach the privacy centre (to cancel, or to export their
    data first), their own account pages and the public pages; everything
    else redirects there, and the API answers 403.
    """

    ALLOWED_PREFIXES = (
        "/privacy-center/",
        "/account/",
        "/static/",
        "/healthz",
        "/privacy",
        "/terms",
        "/dpa",
        "/jobs/",
        "/settings/switch/",
        "/settings/sessions/",
        "/welcome/",
        "/i18n/",
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + getattr(settings, "ADMIN_URL", "admin/")

    def __call__(self, request):
        organization = getattr(request, "organization", None)
        if (
            organization is not None
            and organization.status != organization.Status.ACTIVE
            and not request.path.startswith((*self.ALLOWED_PREFIXES, self.admin_prefix))
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "code": "organization_suspended",
                            "message": "This organisation is suspended because its deletion "
                            "is scheduled.",
                        }
                    },
                    status=403,
                )
            messages.warning(
                request,
                _(
                    "%(org)s is suspended because its deletion is scheduled. "
                    "An owner can cancel the deletion here."
                )
                % {"org": organization.name},
            )
            return redirect("privacy:deletion")
        return self.get_response(request)


class StaffAdminAccessLogMiddleware:
    """Writes the access log for staff viewing or changing personal data in the admin.

    Works for every registered model with personal data, whatever app it
    comes from: object pages (view, change, delete, history) are logged before
    the view runs; list pages after it, once per organisation whose rows were
    on the page, with the row ids.
    """

    OBJECT_VIEWS = {"change": "view", "history": "view", "delete": "view"}

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + getattr(settings, "ADMIN_URL", "admin/")

    def __call__(self, request):
        if not request.path.startswith(self.admin_prefix):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        target = self._admin_target(match)
        if target is not None:
            model, view_kind = target
            object_id = match.kwargs.get("object_id")
            if object_id is not None and view_kind in self.OBJECT_VIEWS:
                action = "view"
                if request.method == "POST":
                    action = "delete" if view_kind == "delete" else "change"
                self._log_objects(request, model, [object_id], action)
        response = self.get_response(request)
        if target is not None and target[1] == "changelist" and request.method == "GET":
            change_list = (getattr(response, "context_data", None) or {}).get("cl")
            if change_list is not None:
                pks = [obj.pk for obj in change_list.result_list]
                if pks:
                    self._log_objects(request, target[0], pks, "view")
        return response

    @staticmethod
    def _admin_target(match):
        """(model, view kind) for an admin model page holding personal data."""
        from django.apps import apps

        from privacy.registry import REGISTRY

        name = match.url_name or ""
        if match.namespace != "admin" or "_" not in name:
            return None
        for kind in ("changelist", "change", "history", "delete"):
            if name.endswith("_" + kind):
                prefix = name[: -len(kind) - 1]
                app_label, _sep, model_name = prefix.partition("_")
                break
        else:
            return None
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            # app labels may contain underscores; try every split
            model = next(
                (
                    m
                    for m in apps.get_models()
                    if f"{m._meta.app_label}_{m._meta.model_name}" == prefix
                ),
                None,
            )
            if model is None:
                return None
        if model._meta.label == "privacy.AccessLog":
            return None  # reading the log is not itself logged (it would never end)
        data_class = REGISTRY.get(model._meta.label)
        if data_class is None or not data_class.personal_fields:
            return None
        if data_class.resolved_organization_path() is None:
            return None
        return model, kind

    @staticmethod
    def _log_objects(request, model, pks, action) -> None:
        from accounts.models import Organization
        from accounts.tenancy import all_tenants
        from privacy.access_log import access_log_record
        from privacy.models import AccessLog
        from privacy.registry import REGISTRY

        data_class = REGISTRY[model._meta.label]
        path = data_class.resolved_organization_path()
        lookup = "pk" if path == "pk" else path
        by_organization = defaultdict(list)
        try:
            with all_tenants():  # staff admin spans organisations
                rows = model._base_manager.filter(pk__in=pks).values_list("pk", lookup)
                for pk, organization_id in rows:
                    if organization_id is not None:
                        by_organization[organization_id].append(str(pk))
                organizations = Organization.objects.in_bulk(list(by_organization))
                for organization_id, ids in by_organization.items():
                    organization = organizations.get(organization_id)
                    if organization is None:
                        continue
                    access_log_record(
                        organization=organization,
                        action=action,
                        target_type=model._meta.label,
                        target_id=ids[0] if len(ids) == 1 else "",
                        actor=request.user,
                        request=request,
                        via=AccessLog.Via.ADMIN,
                        detail={"ids": ids[:200], "rows": len(ids)} if len(ids) > 1 else {},
                    )
        except (ValueError, TypeError):  # a malformed object id in the URL
            logger.debug("admin access log: unparsable object id for %s", model._meta.label)

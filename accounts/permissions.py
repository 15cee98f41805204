"""Declarative role checks for views.

    @org_permission_required("routers.manage")
    def router_edit(request, router_id): ...

    class RouterList(OrgPermissionRequiredMixin, ListView):
        permission_required = "routers.view"

A user who is not logged in is sent to the login page; a logged-in user with
no organisation goes to the "no organisation" page; a role without the
permission gets 403 (per route, so it reveals nothing about any object).
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts.roles import PERMISSIONS, role_has_permission


def _check(request, permission):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = getattr(request, "membership", None)
    if membership is None:
        return redirect("no_organization")
    if not role_has_permission(membership.role, permission):
        raise PermissionDenied
    return None


def org_permission_required(permission: str):
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = _check(request, permission)
            if response is not None:
                return response
            return view(request, *args, **kwargs)

        wrapped.org_permission = permission
        return wrapped

    return decorator


class OrgPermissionRequiredMixin:
    permission_required: str = "org.view"

    def dispatch(self, request, *args, **kwargs):
        response = _check(request, self.permission_required)
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)


def has_org_permission(request, permission: str) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and role_has_permission(membership.role, permission)

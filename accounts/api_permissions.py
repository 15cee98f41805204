"""Declarative permission for API views.

    class RouterList(ListAPIView):
        org_permission = "routers.view"          # for GET/HEAD/OPTIONS
        org_write_permission = "routers.manage"  # for other methods

A dashboard session is checked against the member's role; an API token
(``request.auth`` with ``has_scope``) against the scopes the operator gave it.
A view that declares nothing is refused (fail closed).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import role_has_permission


def required_permission(request, view) -> str | None:
    if request.method in SAFE_METHODS:
        return getattr(view, "org_permission", None)
    return getattr(view, "org_write_permission", None) or getattr(view, "org_permission", None)


class HasOrgPermission(BasePermission):
    message = "You do not have permission for this."

    def has_permission(self, request, view):
        permission = required_permission(request, view)
        if permission is None:
            return False
        if hasattr(request.auth, "has_scope"):
            return bool(request.auth.has_scope(permission))
        membership = getattr(request._request, "membership", None)
        return membership is not None and role_has_permission(membership.role, permission)

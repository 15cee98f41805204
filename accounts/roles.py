"""Roles and what each may do, declared once.

Views declare the permission they need (``@org_permission_required`` or
``OrgPermissionRequiredMixin.permission_required``); nothing checks a role
name with an ``if`` in a view.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    SUPPORT = "support", _("Support agent")
    TECHNICIAN = "technician", _("Technician")
    VIEWER = "viewer", _("Read-only")


ALL_ROLES = frozenset(Role.values)
_MANAGERS = frozenset({Role.OWNER, Role.ADMIN})

PERMISSIONS: dict[str, frozenset[str]] = {
    "org.view": ALL_ROLES,
    "org.manage": _MANAGERS,
    "org.delete": frozenset({Role.OWNER}),
    "members.view": ALL_ROLES,
    "members.manage": _MANAGERS,
    "routers.view": ALL_ROLES,
    "routers.manage": _MANAGERS | {Role.TECHNICIAN},
    "customers.view": ALL_ROLES,
    "customers.manage": _MANAGERS | {Role.SUPPORT},
    "vouchers.view": ALL_ROLES,
    "vouchers.manage": _MANAGERS | {Role.SUPPORT},
    "billing.view": _MANAGERS | {Role.SUPPORT, Role.VIEWER},
    "billing.manage": _MANAGERS,
    "portal.view": ALL_ROLES,
    "portal.manage": _MANAGERS,
    "support.view": ALL_ROLES,
    "support.manage": _MANAGERS | {Role.SUPPORT, Role.TECHNICIAN},
    "privacy.view": _MANAGERS,
    "privacy.manage": _MANAGERS,
    "accesslog.view": frozenset({Role.OWNER}),
    "api.manage": _MANAGERS,
}


def role_has_permission(role: str, permission: str) -> bool:
    try:
        return role in PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None

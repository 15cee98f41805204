"""The tenancy core.

Every tenant-owned model inherits :class:`TenantModel`. Its default manager
refuses to build a queryset unless a tenant is active, and filters by that
tenant when one is. The active tenant lives in a ``ContextVar`` and is set by:

* ``TenantMiddleware`` for dashboard and API requests (always cleared after),
* the portal's URL for landing pages,
* :func:`tenant` (a context manager) and :func:`tenant_task` (a decorator for
  Celery tasks that take ``org_id``) everywhere else.

Platform-wide code (Django admin, scheduled sweeps, migrations) asks for
unscoped access by name with :func:`all_tenants`, so ``grep all_tenants``
lists every such place.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.models import Organization


class TenantNotActive(RuntimeError):
    """A tenant-owned model was queried with no tenant active."""


class TenantMismatch(RuntimeError):
    """A row of one tenant was written while another tenant is active."""


class _Unscoped:
    def __repr__(self):
        return "<all tenants>"


UNSCOPED = _Unscoped()
_active: ContextVar[Organization | _Unscoped | None] = ContextVar(
    "nettportal_active_tenant", default=None
)


def _check_organization(organization) -> None:
    from accounts.models import Organization

    if organization is None:
        raise ValueError("None is never a tenant; use all_tenants() for platform-wide code")
    if not isinstance(organization, Organization) or organization.pk is None:
        raise ValueError("a tenant must be a saved Organization")


def activate(organization: Organization):
    """Make ``organization`` the active tenant; returns a token for :func:`deactivate`."""
    _check_organization(organization)
    return _active.set(organization)


def activate_unscoped():
    return _active.set(UNSCOPED)


def deactivate(token) -> None:
    _active.reset(token)


def clear():
    """Forget any active tenant; returns a token to restore the previous state."""
    return _active.set(None)


@contextmanager
def tenant(organization: Organization):
    """Run the block with ``organization`` as the active tenant."""
    token = activate(organization)
    try:
        yield organization
    finally:
        deactivate(token)


@contextmanager
def all_tenants():
    """Unscoped access for admin, platform-wide sweeps and migrations only."""
    token = activate_unscoped()
    try:
        yield
    finally:
        deactivate(token)


def current_organization() -> Organization:
    state = _active.get()
    if state is None or state is UNSCOPED:
        raise TenantNotActive("no organisation is active")
    return state


def current_organization_or_none() -> Organization | None:
    state = _active.get()
    return None if state is None or state is UNSCOPED else state


def is_unscoped() -> bool:
    return _active.get() is UNSCOPED


def tenant_task(func):
    """Decorator for task bodies whose first argument is ``org_id``.

    Loads the organisation and runs the body with it active, so a task never
    depends on whatever state the worker process was left in.
    """

    @functools.wraps(func)
    def wrapper(org_id, *args, **kwargs):
        from accounts.models import Organization

        organization = Organization.objects.get(pk=org_id)
        with tenant(organization):
            return func(org_id, *args, **kwargs)

    return wrapper


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Fail-closed manager: raises without an active tenant, filters with one."""

    use_in_migrations = False

    def get_queryset(self):
        queryset = super().get_queryset()
        state = _active.get()
        if state is UNSCOPED:
            return queryset
        if state is None:
            raise TenantNotActive(
                f"{self.model.__name__} queried with no organisation active "
                "(use accounts.tenancy.tenant() or all_tenants())"
            )
        return queryset.filter(organization_id=state.pk)


class TenantModel(models.Model):
    """Abstract base for every row that belongs to one organisation."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = TenantManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        state = _active.get()
        if isinstance(state, _Unscoped) or state is None:
            if self.organization_id is None:
                raise TenantNotActive(f"{type(self).__name__} saved without an organisation")
        elif self.organization_id is None:
            self.organization = state
        elif self.organization_id != state.pk:
            raise TenantMismatch(
                f"{type(self).__name__} of another organisation saved while one is active"
            )
        super().save(*args, **kwargs)


def tenant_models():
    """Every concrete tenant-owned model, for the isolation and registry tests."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.abstract
    ]

"""The shared REST toolkit every app's ``api.py`` builds on.

The defaults in ``REST_FRAMEWORK`` already apply (token or session
authentication, ``HasOrgPermission``, cursor pagination, django-filter and
ordering, per-token throttling, one error shape). A typical list view::

    class CustomerList(generics.ListAPIView):
        serializer_class = CustomerSerializer
        org_permission = "customers.view"
        filterset_fields = ["status", "kind"]
        ordering_fields = ["created_at", "name"]
        ordering = ["-created_at", "-id"]

        def get_queryset(self):
            return Customer.objects.all()   # the scoped manager: this tenant only

and ``<app>/api_urls.py`` holds ``urlpatterns`` with ``<model_name>_id``
arguments (the isolation walk fills them with another tenant's ids).
"""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.pagination import CursorPagination as BaseCursorPagination
from rest_framework.throttling import SimpleRateThrottle

from accounts.tenancy import all_tenants


class CursorPagination(BaseCursorPagination):
    """Stable pages at any size: ``?cursor=…`` links, ``page_size`` up to 200.

    Views set ``ordering``; it must end with a unique field (``-id``) so a page
    boundary is never ambiguous. Default: newest id first.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class ApiTokenRateThrottle(SimpleRateThrottle):
    """Requests per API token (``API_TOKEN_RATE``, default 600/minute).

    Dashboard-session calls to the API are not throttled here (they are a
    logged-in person clicking)."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        token = getattr(request._request, "api_token", None)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class TenantFilterSet(django_filters.FilterSet):
    """A FilterSet for tenant-owned models.

    django-filter inspects ``Model._default_manager.all().query`` while it
    builds a FilterSet class (at import, or when the schema is generated),
    which our fail-closed manager refuses without a tenant. Building the
    filters touches no rows, so it is done unscoped by name here. Subclass
    this instead of ``django_filters.FilterSet``.
    """

    @classmethod
    def get_filters(cls):
        with all_tenants():
            return super().get_filters()

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        # A foreign key filters by id: an unknown id is an empty result, not a
        # 400 "not one of the available choices" (and no query of choices).
        if field.many_to_one and lookup_type == "exact":
            return IdFilter, {}
        return super().filter_for_lookup(field, lookup_type)


class IdFilter(django_filters.NumberFilter):
    """An object id. Any integer is a valid question; one no row can have
    (out of the 64-bit range) simply matches nothing."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value is not None and not 1 <= value < 2**63:
            return qs.none()
        return super().filter(qs, value)


class FilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` whose ``filterset_fields`` build a TenantFilterSet."""

    filterset_base = TenantFilterSet


class NonBlankCharField(serializers.CharField):
    """Text that must contain more than whitespace (DRF trims it). The schema
    says so too (``pattern: \\S``), so generated clients and schemathesis do
    not send "   " expecting it to be accepted."""

"""REST API for customers and their usage (scopes ``customers:read`` / ``customers:write``).

Built on the shared toolkit (``integrations.rest``): cursor pagination,
filters, ordering and the one error shape. Writes go through
``customers.services`` (the same rules as the dashboard's forms: phones read
in the organisation's country and stored in E.164, one phone per customer);
every read or change of personal data is written to the access log, as the
dashboard views do. Another tenant's id is a 404.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from customers import selectors, validation
from customers.models import (
    Customer,
    PppoeAccount,
    RouterUsageDaily,
    Tag,
    UsageDaily,
    UsageSession,
)
from customers.services import customers as services
from customers.views.common import CUSTOMER_LABEL, log_access
from integrations.rest import IdFilter, NonBlankCharField, TenantFilterSet
from privacy.models import AccessLog


class LoggedListMixin:
    """Write one access-log entry naming the ids of the page that was shown."""

    access_log_type = CUSTOMER_LABEL

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        ids = [row["id"] for row in response.data.get("results", [])]
        if ids:
            log_access(
                request,
                AccessLog.Action.VIEW,
                target_type=self.access_log_type,
                target_id=self.access_log_target(),
                detail={"list": True, "ids": ids},
            )
        return response

    def access_log_target(self) -> str:
        return ""


# ------------------------------------------------------------------ serializers
class PppoeServiceSerializer(serializers.ModelSerializer):
    """A customer's PPPoE login as the API shows it: never the password."""

    class Meta:
        model = PppoeAccount
        fields = ["id", "username", "profile", "rate_limit", "router", "is_enabled", "sync_state"]


class CustomerSerializer(serializers.ModelSerializer):
    tags = serializers.SerializerMethodField()
    pppoe_accounts = PppoeServiceSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "phone",
            "email",
            "customer_type",
            "status",
            "address",
            "notes",
            "tags",
            "pppoe_accounts",
            "marketing_consent",
            "marketing_consent_at",
            "source",
            "status_changed_at",
            "last_seen_at",
            "created_at",
            "updated_at",
        ]

    def get_tags(self, customer) -> list[str]:
        return [tag.name for tag in customer.tags.all()]


class CustomerWriteSerializer(serializers.Serializer):
    """What the API accepts; the service checks the values (phone, email, name)."""

    name = NonBlankCharField(max_length=validation.NAME_MAX)
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Any common spelling; numbers without a country code are read in the "
        "organisation's country. Stored and returned in E.164.",
    )
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    customer_type = serializers.ChoiceField(
        choices=Customer.Type.choices, default=Customer.Type.HOTSPOT
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=validation.TAG_MAX),
        required=False,
        max_length=validation.TAGS_PER_CUSTOMER,
    )
    marketing_consent = serializers.BooleanField(
        default=False, help_text="Only when the customer said yes; it is never assumed."
    )

    def validate_tags(self, value):
        cleaned = []
        for name in value:
            try:
                tag = validation.clean_tag(name)
            except DjangoValidationError as error:  # → this field's error, in the API's shape
                raise serializers.ValidationError(error.messages) from None
            if tag.lower() not in {seen.lower() for seen in cleaned}:
                cleaned.append(tag)
        return cleaned


class CustomerUpdateSerializer(CustomerWriteSerializer):
    """PATCH: only the fields sent are changed (used with ``partial=True``)."""

    name = NonBlankCharField(max_length=validation.NAME_MAX, required=False)
    customer_type = serializers.ChoiceField(choices=Customer.Type.choices, required=False)
    marketing_consent = serializers.BooleanField(
        required=False, help_text="Only when the customer said yes; it is never assumed."
    )


# ------------------------------------------------------------------ customers
@extend_schema_field(OpenApiTypes.INT)
class IdParam(IdFilter):
    """An id filter answered by a method (the schema still says integer)."""


class CustomerFilter(TenantFilterSet):
    type = django_filters.ChoiceFilter(field_name="customer_type", choices=Customer.Type.choices)
    status = django_filters.ChoiceFilter(choices=Customer.Status.choices)
    tag = IdParam(method="filter_tag", help_text="Id of a tag.")
    router = IdParam(method="filter_router", help_text="Id of the router of a PPPoE account.")
    package = django_filters.CharFilter(
        method="filter_package", help_text="Package (PPPoE profile) name of a PPPoE account."
    )
    q = django_filters.CharFilter(
        method="filter_search",
        help_text="Name, phone (any spelling, or part of it), email, PPPoE username or MAC.",
    )

    class Meta:
        model = Customer
        fields = ["type", "status"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(
            pk__in=Customer.tags.through.objects.filter(tag_id=value).values("customer_id")
        )

    def filter_router(self, queryset, name, value):
        return queryset.filter(
            pk__in=PppoeAccount.objects.filter(router_id=value).values("customer_id")
        )

    def filter_package(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            pk__in=PppoeAccount.objects.filter(profile=value).values("customer_id")
        )

    def filter_search(self, queryset, name, value):
        region = self.request.organization.country if self.request is not None else None
        return queryset.filter(selectors.customer_search_q(value, region=region))


def customer_queryset():
    return Customer.objects.prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
        Prefetch(
            "pppoe_accounts",
            queryset=PppoeAccount.objects.order_by("username").only(
                "id",
                "customer_id",
                "username",
                "profile",
                "rate_limit",
                "router_id",
                "is_enabled",
                "sync_state",
            ),
        ),
    )


class CustomerList(LoggedListMixin, generics.ListCreateAPIView):
    """Customers, newest first; filter by ``type``, ``status``, ``tag``, ``router``,
    ``package`` and ``q`` (search); POST adds one."""

    serializer_class = CustomerSerializer
    org_permission = "customers.view"
    org_write_permission = "customers.manage"
    filterset_class = CustomerFilter
    ordering_fields = ["created_at", "name", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return customer_queryset()

    @extend_schema(request=CustomerWriteSerializer, responses={201: CustomerSerializer})
    def post(self, request, *args, **kwargs):
        incoming = CustomerWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        customer = services.customer_create(
            organization=request.organization,
            actor=request.user,
            source=Customer.Source.API,
            **incoming.validated_data,
        )
        log_access(request, AccessLog.Action.CREATE, target=customer)
        customer = customer_queryset().get(pk=customer.pk)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetail(generics.RetrieveAPIView):
    """One customer; PATCH changes the fields sent (the others are kept)."""

    serializer_class = CustomerSerializer
    org_permission = "customers.view"
    org_write_permission = "customers.manage"
    lookup_url_kwarg = "customer_id"

    def get_queryset(self):
        return customer_queryset()

    def retrieve(self, request, *args, **kwargs):
        customer = self.get_object()
        log_access(request, AccessLog.Action.VIEW, target=customer)
        return Response(CustomerSerializer(customer).data)

    @extend_schema(request=CustomerUpdateSerializer, responses=CustomerSerializer)
    def patch(self, request, *args, **kwargs):
        customer = self.get_object()
        incoming = CustomerUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        changed = services.customer_update(
            customer=customer, actor=request.user, **incoming.validated_data
        )
        if changed:
            log_access(
                request,
                AccessLog.Action.CHANGE,
                target=customer,
                detail={"fields": sorted(changed)},
            )
        customer = customer_queryset().get(pk=customer.pk)
        return Response(CustomerSerializer(customer).data)


class CustomerStatusAction(APIView):
    """Base of the suspend / reactivate actions (PPPoE service follows on the router)."""

    org_permission = "customers.manage"
    target_status = ""

    @extend_schema(request=None, responses=CustomerSerializer)
    def post(self, request, customer_id):
        customer = get_object_or_404(Customer, pk=customer_id)
        changed = services.customer_set_status(
            customer=customer, actor=request.user, status=self.target_status
        )
        if changed:
            log_access(
                request,
                AccessLog.Action.CHANGE,
                target=customer,
                detail={"status": self.target_status},
            )
        customer = customer_queryset().get(pk=customer.pk)
        return Response(CustomerSerializer(customer).data)


class CustomerSuspend(CustomerStatusAction):
    """Suspend the customer: PPPoE service disabled and any connection cut."""

    target_status = Customer.Status.SUSPENDED


class CustomerReactivate(CustomerStatusAction):
    """Reactivate a suspended or closed customer."""

    target_status = Customer.Status.ACTIVE


# ------------------------------------------------------------------ usage
class UsageSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = UsageSession
        fields = [
            "id",
            "customer",
            "router",
            "kind",
            "username",
            "mac_address",
            "ip_address",
            "started_at",
            "last_seen_at",
            "ended_at",
            "end_reason",
            "uptime_seconds",
            "bytes_in",
            "bytes_out",
        ]


class UsageDailySerializer(serializers.ModelSerializer):
    class Meta:
        model = UsageDaily
        fields = ["id", "customer", "day", "bytes_in", "bytes_out", "seconds", "sessions"]


class RouterUsageDailySerializer(serializers.ModelSerializer):
    class Meta:
        model = RouterUsageDaily
        fields = ["id", "router", "day", "bytes_in", "bytes_out", "seconds", "sessions"]


class UsageSessionFilter(TenantFilterSet):
    started_from = django_filters.DateFilter(
        field_name="started_at",
        lookup_expr="date__gte",
        help_text="Sessions started on or after this day (UTC).",
    )
    started_to = django_filters.DateFilter(
        field_name="started_at",
        lookup_expr="date__lte",
        help_text="Sessions started on or before this day (UTC).",
    )
    is_open = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", help_text="Only sessions still open."
    )

    class Meta:
        model = UsageSession
        fields = ["customer", "router", "kind"]


class DayRangeFilter(TenantFilterSet):
    day_from = django_filters.DateFilter(
        field_name="day", lookup_expr="gte", help_text="First day (organisation's local date)."
    )
    day_to = django_filters.DateFilter(
        field_name="day", lookup_expr="lte", help_text="Last day (organisation's local date)."
    )


class UsageDailyFilter(DayRangeFilter):
    class Meta:
        model = UsageDaily
        fields = ["customer"]


class RouterUsageDailyFilter(DayRangeFilter):
    class Meta:
        model = RouterUsageDaily
        fields = ["router"]


class UsageSessionList(LoggedListMixin, generics.ListAPIView):
    """Usage sessions (one login on one router), newest first; filter by ``customer``,
    ``router``, ``kind``, ``is_open`` and ``started_from`` / ``started_to``."""

    serializer_class = UsageSessionSerializer
    org_permission = "customers.view"
    filterset_class = UsageSessionFilter
    ordering_fields = ["started_at", "id"]
    ordering = ["-started_at", "-id"]
    access_log_type = "customers.UsageSession"

    def get_queryset(self):
        return UsageSession.objects.all()


class UsageDailyList(LoggedListMixin, generics.ListAPIView):
    """Customers' daily usage (the organisation's local days), newest first; filter by
    ``customer`` and ``day_from`` / ``day_to``."""

    serializer_class = UsageDailySerializer
    org_permission = "customers.view"
    filterset_class = UsageDailyFilter
    ordering_fields = ["day", "id"]
    ordering = ["-day", "-id"]
    access_log_type = "customers.UsageDaily"

    def get_queryset(self):
        return UsageDaily.objects.all()


class RouterUsageDailyList(generics.ListAPIView):
    """Everyone's usage through each router per day (no personal data); filter by
    ``router`` and ``day_from`` / ``day_to``."""

    serializer_class = RouterUsageDailySerializer
    org_permission = "customers.view"
    filterset_class = RouterUsageDailyFilter
    ordering_fields = ["day", "id"]
    ordering = ["-day", "-id"]

    def get_queryset(self):
        return RouterUsageDaily.objects.all()


class CustomerScopedMixin:
    """Lists of one customer: ``customer_id`` from the URL (another tenant's is a 404)."""

    def get_customer(self):
        if not hasattr(self, "_customer"):
            self._customer = get_object_or_404(
                Customer.objects.only("id"), pk=self.kwargs["customer_id"]
            )
        return self._customer

    def access_log_target(self) -> str:
        return f"customer:{self.get_customer().pk}"


class CustomerSessionList(CustomerScopedMixin, UsageSessionList):
    """One customer's usage sessions, newest first."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return UsageSession.objects.none()
        return UsageSession.objects.filter(customer=self.get_customer())


class CustomerUsageList(CustomerScopedMixin, UsageDailyList):
    """One customer's daily usage, newest first; ``day_from`` / ``day_to``."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return UsageDaily.objects.none()
        return UsageDaily.objects.filter(customer=self.get_customer())

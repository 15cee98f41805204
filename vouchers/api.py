"""REST API for packages and vouchers: read them, redeem and revoke.

Built on the shared toolkit (``integrations.rest``): cursor pagination,
filters, ordering and the one error shape. Everything is scoped to the
caller's organisation; another tenant's id is a 404.
"""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tenancy import current_organization
from integrations.rest import NonBlankCharField, TenantFilterSet
from routers.models import Router
from vouchers import services
from vouchers.codes import normalise
from vouchers.models import Package, Voucher


class PackageSerializer(serializers.ModelSerializer):
    currency = serializers.SerializerMethodField()
    validity_seconds = serializers.SerializerMethodField()
    time_limit_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Package
        fields = [
            "id",
            "name",
            "description",
            "price",
            "currency",
            "validity_seconds",
            "time_limit_seconds",
            "data_limit_bytes",
            "rate_limit",
            "shared_users",
            "is_active",
            "sold_on_landing_page",
            "allows_stacking",
            "profile_name",
        ]

    def get_currency(self, obj) -> str:
        return current_organization().currency

    def get_validity_seconds(self, obj) -> int | None:
        return int(obj.validity.total_seconds()) if obj.validity else None

    def get_time_limit_seconds(self, obj) -> int | None:
        return int(obj.time_limit.total_seconds()) if obj.time_limit else None


class VoucherSerializer(serializers.ModelSerializer):
    class Meta:
        model = Voucher
        fields = [
            "id",
            "code",
            "pin",
            "package",
            "batch",
            "status",
            "source",
            "router",
            "created_at",
            "unsold_expires_at",
            "redeemed_at",
            "first_login_at",
            "expires_at",
            "sold_at",
            "sold_price",
            "currency",
            "used_seconds",
            "used_bytes",
        ]


class PackageList(ListAPIView):
    """The organisation's packages."""

    serializer_class = PackageSerializer
    org_permission = "vouchers.view"
    filterset_fields = ["is_active", "sold_on_landing_page"]
    ordering_fields = ["price", "name", "id"]
    ordering = ["-id"]

    def get_queryset(self):
        return Package.objects.all()


class VoucherFilter(TenantFilterSet):
    q = django_filters.CharFilter(
        method="filter_code", help_text="A code, or its beginning, however it is typed."
    )

    class Meta:
        model = Voucher
        fields = ["status", "package", "batch", "source"]

    def filter_code(self, queryset, name, value):
        lookup = normalise(value)
        return queryset.filter(lookup__startswith=lookup) if lookup else queryset


class VoucherList(ListAPIView):
    """Vouchers, newest first; filter by ``status``, ``package``, ``batch``, ``source``
    and ``q`` (code)."""

    serializer_class = VoucherSerializer
    org_permission = "vouchers.view"
    filterset_class = VoucherFilter
    ordering_fields = ["id", "created_at", "sold_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return Voucher.objects.all()


class VoucherDetail(RetrieveAPIView):
    serializer_class = VoucherSerializer
    org_permission = "vouchers.view"
    lookup_url_kwarg = "voucher_id"

    def get_queryset(self):
        return Voucher.objects.all()


class RedeemSerializer(serializers.Serializer):
    code = NonBlankCharField(max_length=60)
    router = serializers.IntegerField(help_text="Id of the router the customer is behind.")
    mac = serializers.CharField(max_length=17, required=False, allow_blank=True)
    ip = serializers.IPAddressField(required=False, allow_blank=True)
    login = serializers.BooleanField(default=True)


class RedemptionSerializer(serializers.Serializer):
    voucher = VoucherSerializer()
    logged_in = serializers.BooleanField()
    login_error = serializers.CharField()
    username = serializers.CharField()
    password = serializers.CharField()
    stacked_onto = serializers.IntegerField(source="stacked_onto.pk", allow_null=True)


class VoucherRedeem(APIView):
    """Redeem a code for a device behind one of your routers (see
    ``vouchers.services.voucher_redeem``). 400 when the code cannot be used,
    503 when the router is unreachable (the voucher is then not used)."""

    org_permission = "vouchers.manage"

    @extend_schema(request=RedeemSerializer, responses=RedemptionSerializer)
    def post(self, request):
        data = RedeemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        router = get_object_or_404(Router, pk=values["router"])
        result = services.voucher_redeem(
            organization=current_organization(),
            code=values["code"],
            router=router,
            mac=values.get("mac"),
            ip=values.get("ip"),
            login=values["login"],
            actor=request.user,
            via="api",
        )
        body = RedemptionSerializer(
            {
                "voucher": result.voucher,
                "logged_in": result.logged_in,
                "login_error": result.login_error,
                "username": result.username,
                "password": result.password,
                "stacked_onto": result.stacked_onto,
            }
        ).data
        return Response(body, status=status.HTTP_200_OK)


class VoucherRevoke(APIView):
    """Revoke a voucher; its user is removed from every router."""

    org_permission = "vouchers.manage"

    @extend_schema(request=None, responses=VoucherSerializer)
    def post(self, request, voucher_id):
        voucher = get_object_or_404(Voucher, pk=voucher_id)
        voucher = services.voucher_revoke(voucher=voucher, actor=request.user)
        return Response(VoucherSerializer(voucher).data)

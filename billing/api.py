"""REST API for payments (scopes ``billing:read`` / ``billing:write``): list and
read them, and record cash and bank transfers through the same service as the
dashboard (``billing.services.manual``). Payments name payers, so reads and
records are written to the access log. Another tenant's id is a 404.

A payment's ``public_id`` (the payer's page), the processor's request ids and
the checkout URL are never serialised.
"""

from decimal import Decimal

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import CURRENCY_CHOICES
from billing.models import Invoice, Payment
from billing.services import manual
from billing.views.common import log_access
from customers.models import Customer
from integrations.rest import NonBlankCharField, TenantFilterSet
from nettportal.errors import ValidationFailed
from privacy.models import AccessLog

PAYMENT_LABEL = "billing.Payment"


class PaymentSerializer(serializers.ModelSerializer):
    method = serializers.CharField(source="processor", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "reference",
            "method",
            "status",
            "amount",
            "currency",
            "customer",
            "purpose",
            "purpose_label",
            "router_label",
            "payer_phone",
            "payer_email",
            "processor_receipt",
            "receipt_number",
            "failure_message",
            "note",
            "created_at",
            "paid_at",
            "refunded_at",
        ]


class PaymentFilter(TenantFilterSet):
    method = django_filters.ChoiceFilter(field_name="processor", choices=Payment.Processor.choices)
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", help_text="Created on or after (UTC)."
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", help_text="Created on or before (UTC)."
    )

    class Meta:
        model = Payment
        fields = ["status", "method", "customer"]


class PaymentList(generics.ListAPIView):
    """Payments, newest first; filter by ``status``, ``method``, ``customer`` and
    ``created_from`` / ``created_to``."""

    serializer_class = PaymentSerializer
    org_permission = "billing.view"
    filterset_class = PaymentFilter
    ordering_fields = ["created_at", "amount", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return Payment.objects.all()

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        ids = [row["id"] for row in response.data.get("results", [])]
        if ids:
            log_access(
                request,
                AccessLog.Action.VIEW,
                target_type=PAYMENT_LABEL,
                detail={"list": True, "ids": ids},
            )
        return response


class PaymentDetail(generics.RetrieveAPIView):
    serializer_class = PaymentSerializer
    org_permission = "billing.view"
    lookup_url_kwarg = "payment_id"

    def get_queryset(self):
        return Payment.objects.all()

    def retrieve(self, request, *args, **kwargs):
        payment = self.get_object()
        log_access(request, AccessLog.Action.VIEW, target=payment)
        return Response(PaymentSerializer(payment).data)


class ManualPaymentSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=[
            (Payment.Processor.CASH, "Cash"),
            (Payment.Processor.BANK_TRANSFER, "Bank transfer"),
        ]
    )
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("9999999999")
    )
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    reference = NonBlankCharField(
        max_length=100,
        help_text="The bank's reference or the receipt-book number. A bank reference "
        "naming an open invoice (INV-000123) pays it.",
    )
    paid_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)
    invoice = serializers.IntegerField(required=False, allow_null=True, default=None)
    as_credit = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _own(model, pk, field, message):
    """A row of the active tenant named in the body, or a field error (another
    tenant's id reads exactly like one that does not exist)."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first() if 1 <= pk < 2**63 else None
    if found is None:
        raise ValidationFailed(message, field=field)
    return found


class PaymentRecordManual(APIView):
    """Record cash or a bank transfer received outside the platform; it is paid at
    once and numbered (``receipt_number``). The same reference cannot be
    recorded twice for one method."""

    org_permission = "billing.manage"

    @extend_schema(request=ManualPaymentSerializer, responses={201: PaymentSerializer})
    def post(self, request):
        incoming = ManualPaymentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        customer = _own(Customer, values["customer"], "customer", "No such customer.")
        invoice = _own(Invoice, values["invoice"], "invoice", "No such invoice.")
        payment = manual.payment_record_manual(
            organization=request.organization,
            actor=request.user,
            processor=values["method"],
            amount=values["amount"],
            currency=values["currency"],
            reference=values["reference"],
            customer=customer,
            invoice=invoice,
            as_credit=values["as_credit"],
            paid_at=values["paid_at"],
            note=values["note"],
        )
        log_access(request, AccessLog.Action.CREATE, target=payment)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

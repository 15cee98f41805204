"""The payments API: list/filter/paginate, detail without capabilities or
processor secrets, cash and bank transfers through the manual-payment
service, scopes, another tenant's ids, the access log and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tenancy import tenant
from billing.models import Invoice, Payment
from privacy.models import AccessLog
from tests.billing.factories import InvoiceFactory, PaymentFactory
from tests.customers.factories import CustomerFactory
from tests.integrations.factories import make_token

pytestmark = pytest.mark.django_db


def token_client(org, user, scopes) -> Client:
    _token, plaintext = make_token(org, user, scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


@pytest.fixture
def api_a(org_a, owner_a):
    return token_client(org_a, owner_a, ["billing:write"])


def _refs(response):
    assert response.status_code == 200, response.content
    return sorted(row["purpose_label"] for row in response.json()["results"])


def test_list_filters_and_detail(api_a, org_a):
    with tenant(org_a):
        ama = CustomerFactory(organization=org_a)
        PaymentFactory(organization=org_a, purpose_label="mpesa-paid", status="paid", customer=ama)
        PaymentFactory(organization=org_a, purpose_label="mpesa-failed", status="failed")
        old = PaymentFactory(
            organization=org_a, purpose_label="cash-old", processor="cash", status="paid"
        )
        Payment.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    url = "/api/v1/payments/"
    assert _refs(api_a.get(url)) == ["cash-old", "mpesa-failed", "mpesa-paid"]
    assert _refs(api_a.get(url, {"status": "paid"})) == ["cash-old", "mpesa-paid"]
    assert _refs(api_a.get(url, {"method": "cash"})) == ["cash-old"]
    assert _refs(api_a.get(url, {"customer": ama.pk})) == ["mpesa-paid"]
    week_ago = (timezone.now() - dt.timedelta(days=7)).date().isoformat()
    assert _refs(api_a.get(url, {"created_from": week_ago})) == ["mpesa-failed", "mpesa-paid"]
    assert _refs(api_a.get(url, {"created_to": week_ago})) == ["cash-old"]
    assert api_a.get(url, {"method": "barter"}).status_code == 400
    page = api_a.get(url, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    rest = api_a.get(page["next"]).json()["results"]
    assert {row["id"] for row in rest}.isdisjoint({row["id"] for row in page["results"]})
    detail = api_a.get(f"/api/v1/payments/{old.pk}/")
    assert detail.status_code == 200 and detail.json()["method"] == "cash"
    for hidden in ("public_id", "redirect_url", "processor_reference", "processor_request_id"):
        assert hidden not in detail.json()
    assert old.public_id not in detail.content.decode()
    with tenant(org_a):
        logged = list(
            AccessLog.objects.filter(via=AccessLog.Via.API, target_type="billing.Payment")
        )
    assert any(entry.target_id == str(old.pk) for entry in logged)
    assert any(entry.detail.get("list") for entry in logged)


def test_record_cash_payment(api_a, org_a):
    with tenant(org_a):
        ama = CustomerFactory(organization=org_a)
    response = api_a.post(
        "/api/v1/payments/manual/",
        {
            "method": "cash",
            "amount": "150.00",
            "currency": "GHS",
            "reference": " book 12 / 7 ",
            "customer": ama.pk,
            "note": "Paid at the counter",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "paid" and body["method"] == "cash"
    assert body["amount"] == "150.00" and body["customer"] == ama.pk
    assert body["processor_receipt"] == "BOOK 12 / 7"
    assert body["receipt_number"].startswith("R-")
    with tenant(org_a):
        payment = Payment.objects.get(pk=body["id"])
        assert payment.recorded_by is not None
        (entry,) = AccessLog.objects.filter(via=AccessLog.Via.API, action=AccessLog.Action.CREATE)
    assert entry.target_id == str(payment.pk)


def test_bank_transfer_pays_the_invoice_it_names(api_a, org_a, on_commit):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, customer_type="pppoe")
        invoice = InvoiceFactory(
            organization=org_a, customer=customer, currency="GHS", amount=Decimal("300.00")
        )
    with on_commit():  # fulfilment (paying the invoice) runs after the commit
        response = api_a.post(
            "/api/v1/payments/manual/",
            {
                "method": "bank_transfer",
                "amount": "300",
                "currency": "GHS",
                "reference": f"TRF {invoice.number}",
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["customer"] == customer.pk
    with tenant(org_a):
        assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "mpesa"}, "method"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"reference": "  "}, "reference"),
        ({"reference": "DUPLICATE-1"}, "reference"),
        ({"paid_at": "2999-01-01T00:00:00Z"}, "paid_at"),
        ({"customer": "foreign"}, "customer"),
        ({"customer": 2**70}, "customer"),
        ({"invoice": 999_999}, "invoice"),
        ({"as_credit": True}, "customer"),
    ],
)
def test_invalid_payment_changes_nothing(api_a, org_a, org_b, change, field):
    with tenant(org_a):
        PaymentFactory(
            organization=org_a, processor="cash", status="paid", processor_receipt="DUPLICATE-1"
        )
    with tenant(org_b):
        foreign = CustomerFactory(organization=org_b)
    payload = {"method": "cash", "amount": "10", "currency": "GHS", "reference": "NEW-1"}
    payload.update(change)
    if payload.get("customer") == "foreign":
        payload["customer"] = foreign.pk
    response = api_a.post("/api/v1/payments/manual/", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    with tenant(org_a):
        assert Payment.objects.count() == 1
    with tenant(org_b):
        assert not Payment.objects.exists()


def test_scopes_and_foreign_ids(org_a, owner_a, org_b):
    reader = token_client(org_a, owner_a, ["billing:read"])
    assert reader.get("/api/v1/payments/").status_code == 200
    payload = {"method": "cash", "amount": "10", "currency": "GHS", "reference": "R1"}
    refused = reader.post("/api/v1/payments/manual/", payload, content_type="application/json")
    assert refused.status_code == 403
    outsider = token_client(org_a, owner_a, ["customers:write", "vouchers:write"])
    assert outsider.get("/api/v1/payments/").status_code == 403
    with tenant(org_b):
        foreign = PaymentFactory(organization=org_b, status="paid")
    assert reader.get(f"/api/v1/payments/{foreign.pk}/").status_code == 404
    with tenant(org_a):
        assert not Payment.objects.exists()


def test_list_queries_do_not_grow_with_rows(org_a, owner_a):
    api = token_client(org_a, owner_a, ["billing:read"])

    def add(count):
        with tenant(org_a):
            for _ in range(count):
                PaymentFactory(organization=org_a, customer=CustomerFactory(organization=org_a))

    def queries():
        api.get("/api/v1/payments/")
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/payments/").status_code == 200
        return len(captured.captured_queries)

    add(5)
    few = queries()
    add(20)
    assert queries() == few

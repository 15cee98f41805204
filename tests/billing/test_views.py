"""Dashboard pages: permissions (denied changes nothing), query counts, empty states,
processor credentials (encrypted, test button), receipts, revenue, customer history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from accounts.tenancy import tenant
from billing.models import Payment, ProcessorAccount
from privacy.models import AccessLog
from tests.billing.factories import PaymentFactory
from tests.customers.factories import CustomerFactory


def _payments(org, n=3, **extra):
    with tenant(org):
        customer = CustomerFactory(organization=org, email="esi@example.test")
        return [
            PaymentFactory(
                organization=org,
                customer=customer,
                status="paid",
                paid_at=timezone.now(),
                receipt_number=f"R-{i:06d}",
                processor_receipt=f"QK{i:08d}",
                **extra,
            )
            for i in range(1, n + 1)
        ]


@pytest.mark.django_db
def test_the_payment_list_is_paginated_filtered_and_cheap(
    client_a, org_a, django_assert_max_num_queries
):
    _payments(org_a, n=30)
    # ~14 queries are the session/membership middleware; the list adds a fixed few
    with django_assert_max_num_queries(24):
        page = client_a.get("/payments/")
    assert page.status_code == 200 and b"Page 1 of 2" in page.content
    assert client_a.get("/payments/?q=QK00000007").content.count(b"/payments/") > 0
    filtered = client_a.get("/payments/?status=failed")
    assert b"No payment matches" in filtered.content
    with tenant(org_a):
        assert AccessLog.objects.filter(target_type="billing.Payment").exists()


@pytest.mark.django_db
def test_empty_states_point_to_the_next_step(client_a):
    assert b"No payments yet" in client_a.get("/payments/").content
    assert b"Set up" in client_a.get("/payments/processors/").content
    assert b"No paid payments in this period" in client_a.get("/payments/revenue/").content
    assert b"No invoices" in client_a.get("/payments/invoices/").content
    assert b"No subscriptions" in client_a.get("/payments/subscriptions/").content


@pytest.mark.django_db
def test_payment_detail_and_receipt_pdf(client_a, org_a, django_assert_max_num_queries):
    [payment] = _payments(org_a, n=1)
    with django_assert_max_num_queries(24):
        page = client_a.get(f"/payments/{payment.pk}/")
    assert payment.reference in page.content.decode()
    pdf = client_a.get(f"/payments/{payment.pk}/receipt.pdf")
    assert pdf.content.startswith(b"%PDF") and "R-000001" in pdf["Content-Disposition"]
    with tenant(org_a):
        assert AccessLog.objects.filter(action="export", target_id=str(payment.pk)).exists()


@pytest.mark.django_db
def test_pending_payments_have_no_receipt(client_a, org_a):
    with tenant(org_a):
        payment = PaymentFactory(organization=org_a)
    assert client_a.get(f"/payments/{payment.pk}/receipt.pdf").status_code == 302
    assert client_a.get(f"/payments/public/{payment.public_id}/receipt.pdf").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.SUPPORT, Role.TECHNICIAN])
def test_roles_without_billing_manage_change_nothing(client, org_a, make_member, role):
    [payment] = _payments(org_a, n=1)
    client.force_login(make_member(org_a, role))
    attempts = [
        client.post(
            "/payments/record/",
            {"processor": "cash", "amount": "5", "currency": "GHS", "reference": "X1"},
        ),
        client.post(f"/payments/{payment.pk}/refund/", {"note": "x"}),
        client.post("/payments/processors/mpesa/", {"shortcode": "1", "consumer_key": "k"}),
        client.post("/payments/settings/", {"grace_days": "1"}),
    ]
    assert {r.status_code for r in attempts} == {403}
    with tenant(org_a):
        assert list(Payment.objects.values_list("status", flat=True)) == ["paid"]
        assert not ProcessorAccount.objects.exists()
    expected = 403 if role == Role.TECHNICIAN else 200
    assert client.get("/payments/").status_code == expected


@pytest.mark.django_db
def test_other_tenants_payments_are_404(client_a, org_b):
    [payment] = _payments(org_b, n=1)
    assert client_a.get(f"/payments/{payment.pk}/").status_code == 404
    assert client_a.post(f"/payments/{payment.pk}/refund/", {"note": "x"}).status_code == 404


@pytest.mark.django_db
def test_processor_secrets_are_encrypted_never_shown_and_tested_against_daraja(
    client_a, kenya_org, daraja
):
    response = client_a.post(
        "/payments/processors/mpesa/",
        {
            "environment": "sandbox",
            "transaction_type": "CustomerPayBillOnline",
            "shortcode": "174379",
            "consumer_key": "fake-consumer-key",
            "consumer_secret": "fake-consumer-secret",
            "passkey": "fake-passkey",
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM billing_processoraccount")
        [(stored,)] = cursor.fetchall()
    assert "fake-consumer-secret" not in stored and stored.startswith("gAAAA")
    edit = client_a.get("/payments/processors/mpesa/").content.decode()
    assert "fake-consumer-secret" not in edit and "fake-passkey" not in edit
    # saving again without secrets keeps them
    client_a.post(
        "/payments/processors/mpesa/",
        {
            "environment": "sandbox",
            "transaction_type": "CustomerPayBillOnline",
            "shortcode": "174379",
            "is_enabled": "on",
        },
    )
    with tenant(kenya_org):
        account = ProcessorAccount.objects.get()
    assert account.secret("passkey") == "fake-passkey"
    # the test button asks Daraja for a token
    client_a.post(f"/payments/processors/{account.pk}/test/")
    account.refresh_from_db()
    assert account.last_test_ok is True and daraja.calls["oauth"] == 1
    daraja.apps["fake-consumer-key"] = "rotated-by-safaricom"
    client_a.post(f"/payments/processors/{account.pk}/test/")
    account.refresh_from_db()
    assert account.last_test_ok is False and "refused" in account.last_test_message
    listing = client_a.get("/payments/processors/").content.decode()
    assert f"/payments/hooks/mpesa/{account.callback_key}/" in listing


@pytest.mark.django_db
def test_processor_form_errors_are_shown_next_to_fields(client_a, org_a):
    response = client_a.post(
        "/payments/processors/mpesa/",
        {
            "environment": "sandbox",
            "transaction_type": "CustomerBuyGoodsOnline",
            "shortcode": "174379",
        },
    )
    assert response.status_code == 200
    assert b"Enter the till number for Buy Goods." in response.content
    response = client_a.post(
        "/payments/processors/paystack/", {"environment": "sandbox", "secret_key": "pk_live_oops"}
    )
    assert b"starts with sk_test_ or sk_live_" in response.content
    with tenant(org_a):
        assert not ProcessorAccount.objects.exists()


@pytest.mark.django_db
def test_paystack_credentials_test_button(client_a, org_a, paystack_account, paystack):
    client_a.post(f"/payments/processors/{paystack_account.pk}/test/")
    paystack_account.refresh_from_db()
    assert paystack_account.last_test_ok is True and paystack.calls["balance"] == 1


@pytest.mark.django_db
def test_recording_a_cash_payment_emails_a_receipt(
    client_a, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, email="abena@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/payments/record/",
            {
                "processor": "cash",
                "amount": "25.50",
                "currency": "GHS",
                "reference": "rb 0042",
                "customer": customer.pk,
            },
        )
    assert response.status_code == 302
    with tenant(org_a):
        payment = Payment.objects.get()
    assert payment.status == "paid" and payment.processor_receipt == "RB 0042"
    [mail] = mailoutbox
    assert mail.to == ["abena@example.test"] and "25.50 GHS" in mail.body
    assert f"/payments/public/{payment.public_id}/receipt.pdf" in mail.body
    html = mail.alternatives[0][0]
    assert "R-000001" in html and "Download receipt" in html


@pytest.mark.django_db
def test_settling_a_payment_under_review_by_hand(
    client_a, org_a, django_capture_on_commit_callbacks
):
    with tenant(org_a):
        payment = PaymentFactory(
            organization=org_a, status="needs_review", review_reason="No answer"
        )
    assert (
        client_a.post(
            f"/payments/{payment.pk}/resolve/", {"outcome": "paid", "note": ""}
        ).status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            f"/payments/{payment.pk}/resolve/",
            {"outcome": "paid", "receipt": "qk12ab34cd", "note": "Statement line 14 March"},
        )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.processor_receipt == "QK12AB34CD"
    response = client_a.post(f"/payments/{payment.pk}/refund/", {"note": "Reversed on M-Pesa"})
    payment.refresh_from_db()
    assert payment.status == "refunded"


@pytest.mark.django_db
def test_revenue_dashboard_charts_and_csv(client_a, org_a, django_assert_max_num_queries):
    now = timezone.now()
    with tenant(org_a):
        for amount, label, router, processor, days in [
            ("20", "1 day", "Market", "mpesa", 0),
            ("20", "1 day", "Campus", "paystack", 1),
            ("100", "1 week", "Market", "mpesa", 1),
        ]:
            PaymentFactory(
                organization=org_a,
                currency="GHS",
                amount=Decimal(amount),
                status="paid",
                purpose="package",
                purpose_label=label,
                router_label=router,
                processor=processor,
                paid_at=now - dt.timedelta(days=days),
            )
        PaymentFactory(organization=org_a, currency="GHS", amount=Decimal("999"), status="failed")
    with django_assert_max_num_queries(28):
        page = client_a.get("/payments/revenue/")
    body = page.content.decode()
    assert body.count('<figure class="chart ') == 4 and "140.00 GHS" in body
    assert "1 week: ₵100.00 (1 payment)" in body  # tooltip of the package chart
    csv_text = b"".join(client_a.get("/payments/revenue.csv").streaming_content).decode()
    assert "router,Market,2,120.00,GHS" in csv_text
    assert "processor,M-Pesa,2,120.00,GHS" in csv_text
    assert csv_text.strip().endswith("total,,3,140.00,GHS")


@pytest.mark.django_db
def test_the_customer_page_shows_payment_history(client_a, org_a, django_assert_max_num_queries):
    [payment, *_] = _payments(org_a, n=2)
    client_a.get(f"/customers/{payment.customer_id}/")  # warm the session caches
    with django_assert_max_num_queries(40):
        page = client_a.get(f"/customers/{payment.customer_id}/")
    assert page.status_code == 200
    assert f"/payments/{payment.pk}/" in page.content.decode()


@pytest.mark.django_db
def test_billing_settings_are_validated_and_saved(client_a, org_a):
    bad = client_a.post(
        "/payments/settings/",
        {"invoice_due_days": "500", "grace_days": "3", "reminder_days_before_due": "2"},
    )
    assert bad.status_code == 200 and b"errorlist" in bad.content
    good = client_a.post(
        "/payments/settings/",
        {
            "invoice_due_days": "10",
            "grace_days": "5",
            "reminder_days_before_due": "2",
            "send_receipts": "on",
            "receipt_note": "Tax no. 123",
        },
    )
    assert good.status_code == 302
    from billing.models import BillingSettings

    with tenant(org_a):
        row = BillingSettings.objects.get()
    assert (row.invoice_due_days, row.grace_days, row.receipt_note) == (10, 5, "Tax no. 123")

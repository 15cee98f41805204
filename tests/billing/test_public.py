"""The payer's page: capability URL, little personal data, live status, receipt."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tenancy import tenant
from billing.models import Payment
from billing.services.online import mpesa_payment_start


@pytest.fixture
def payment(kenya_org, mpesa_account, daraja):
    with tenant(kenya_org):
        return mpesa_payment_start(
            organization=kenya_org, phone="0712345678", amount="30", description="1 day"
        )


@pytest.mark.django_db
def test_the_pending_page_asks_for_the_pin_and_shows_only_a_masked_phone(client, payment):
    page = client.get(f"/payments/public/{payment.public_id}/").content.decode()
    assert "Check your phone" in page and 'hx-trigger="every 3s"' in page
    assert "712345678" not in page and "•••5678" in page
    assert "I have paid" not in page  # not before 20 seconds


@pytest.mark.django_db
def test_unknown_public_ids_are_404(client, payment):
    assert client.get("/payments/public/not-a-real-id/").status_code == 404
    assert client.get(f"/payments/public/{payment.public_id[:-1]}x/status/").status_code == 404


@pytest.mark.django_db
def test_i_have_paid_queries_daraja_at_most_every_15_seconds(
    client, payment, kenya_org, daraja, django_capture_on_commit_callbacks
):
    with tenant(kenya_org):
        Payment.objects.update(created_at=timezone.now() - dt.timedelta(seconds=40))
    assert "I have paid" in client.get(f"/payments/public/{payment.public_id}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/public/{payment.public_id}/check/")
        client.post(f"/payments/public/{payment.public_id}/check/")
    assert daraja.calls["query"] == 1
    with tenant(kenya_org):
        assert Payment.objects.get().status == "paid"
    status = client.get(f"/payments/public/{payment.public_id}/status/").content.decode()
    assert "Paid" in status and "hx-trigger" not in status
    receipt = client.get(f"/payments/public/{payment.public_id}/receipt.pdf")
    assert receipt["Content-Type"] == "application/pdf" and receipt.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_failed_payment_says_why(client, payment, kenya_org):
    with tenant(kenya_org):
        Payment.objects.update(
            status="cancelled", failure_message="The payment was cancelled on the phone."
        )
    page = client.get(f"/payments/public/{payment.public_id}/").content.decode()
    assert "Payment cancelled" in page and "cancelled on the phone" in page

"""payment.paid (webhook), payment.received and invoice.issued (notifications):
once per paid payment however many callbacks arrive, for the right organisation,
never for a rolled-back change."""

import json
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from accounts.tenancy import tenant
from billing.models import Payment
from billing.services.manual import payment_record_manual
from billing.services.payments import receipt_number_assign
from billing.services.platform import platform_invoices_issue
from notifications.models import Notification
from tests.billing.conftest import post_delivery
from tests.billing.factories import PaymentFactory, PlatformFeePlanFactory
from tests.billing.test_mpesa_flow import _held, customer, start  # noqa: F401 (fixtures)
from tests.billing.test_platform import MARCH, _paid
from tests.integrations.factories import delivered, run_then_roll_back, subscribe
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    return PlatformFeePlanFactory(
        name="Growth",
        flat_monthly_fee=Decimal("25.00"),
        flat_fee_currency="KES",
        percent_of_volume=Decimal("1.50"),
        is_default=True,
    )


def _notices(org, event):
    with tenant(org):
        return list(
            Notification.objects.filter(event=event).values_list("recipient__email", flat=True)
        )


def test_five_copies_of_the_paid_callback_announce_the_payment_once(
    client,
    start,  # noqa: F811 (the fixture imported above)
    daraja,
    kenya_org,
    org_b,
    owner_a,
    owner_b,
    make_member,
    on_commit,
):
    # given a viewer (billing.view) and a technician (no billing access) in the organisation
    viewer = make_member(kenya_org, Role.VIEWER)
    technician = make_member(kenya_org, Role.TECHNICIAN)
    subscribe(org_b, owner_b, "payment.paid")
    with Receiver() as receiver:
        subscribe(kenya_org, owner_a, "payment.paid", url=receiver.url)
        payment = start()
        daraja.callback_copies = 5
        daraja.held.clear()
        daraja.transactions[payment.processor_reference].completed = False
        daraja.complete(payment.processor_reference)
        deliveries = _held(daraja)
        assert len(deliveries) == 5
        mail.outbox.clear()

        # when all five arrive
        with on_commit():
            assert [post_delivery(client, d).status_code for d in deliveries] == [200] * 5

    # then one webhook was delivered, carrying no payer details
    [payload] = delivered(kenya_org, "payment.paid")
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0]["body"])["data"] == payload
    with tenant(kenya_org):
        paid = Payment.objects.get(pk=payment.pk)
    assert payload["payment"]["id"] == paid.pk and payload["payment"]["status"] == "paid"
    assert payload["payment"]["amount"] == "50.00" and payload["payment"]["currency"] == "KES"
    assert payload["payment"]["processor_receipt"] == paid.processor_receipt != ""
    assert "712345678" not in json.dumps(payload)
    # and each member with billing.view has one in-app notice (payment.received sends no email)
    assert sorted(_notices(kenya_org, "payment.received")) == sorted([owner_a.email, viewer.email])
    assert technician.email not in _notices(kenya_org, "payment.received")
    member_mail = {owner_a.email, viewer.email, technician.email}
    assert not [m for m in mail.outbox if set(m.to) & member_mail]
    # and the other tenant heard nothing
    assert delivered(org_b, "payment.paid") == []
    assert _notices(org_b, "payment.received") == []


def test_a_rolled_back_settlement_announces_nothing_and_the_retry_announces_once(
    org_a, org_b, owner_a, owner_b
):
    subscribe(org_a, owner_a, "payment.paid")
    with tenant(org_a):
        payment = PaymentFactory(organization=org_a, status="paid", receipt_number="")
        run_then_roll_back(lambda: receipt_number_assign(payment_id=payment.pk))
        assert Payment.objects.get(pk=payment.pk).receipt_number == ""
    assert delivered(org_a, "payment.paid") == []
    assert _notices(org_a, "payment.received") == []

    with tenant(org_a):
        receipt_number_assign(payment_id=payment.pk)
        receipt_number_assign(payment_id=payment.pk)  # the retry sweep, again
    assert len(delivered(org_a, "payment.paid")) == 1
    assert _notices(org_a, "payment.received") == [owner_a.email]


def test_a_payment_staff_record_is_announced_once(org_a, org_b, owner_a, owner_b, on_commit):
    subscribe(org_a, owner_a, "payment.paid")
    subscribe(org_b, owner_b, "payment.paid")
    with tenant(org_a), on_commit():  # numbered at once, then the after-payment task runs
        payment = payment_record_manual(
            organization=org_a,
            actor=owner_a,
            processor="cash",
            amount="120",
            currency=org_a.currency,
            reference="till 4",
        )
    [payload] = delivered(org_a, "payment.paid")
    assert payload["payment"]["id"] == payment.pk and payload["payment"]["processor"] == "cash"
    assert _notices(org_a, "payment.received") == [owner_a.email]
    assert delivered(org_b, "payment.paid") == []


def test_a_platform_invoice_is_notified_once_to_those_who_manage_billing(
    org_a,
    org_b,
    owner_a,
    owner_b,
    make_member,
    plan,
    on_commit,
):
    admin = make_member(org_a, Role.ADMIN)
    viewer = make_member(org_a, Role.VIEWER)
    _paid(org_a, "1000.00", "KES")
    mail.outbox.clear()
    with tenant(org_a), on_commit():
        [invoice] = platform_invoices_issue(organization=org_a, period_start=MARCH)
    with tenant(org_a), on_commit():
        assert platform_invoices_issue(organization=org_a, period_start=MARCH) == []

    assert sorted(_notices(org_a, "invoice.issued")) == sorted([owner_a.email, admin.email])
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [owner_a.email, admin.email]
    )
    assert viewer.email not in _notices(org_a, "invoice.issued")
    message = mail.outbox[0]
    assert invoice.number in message.subject and message.alternatives
    assert "40.00 KES" in message.body
    assert reverse("billing:platform_invoices") in message.body
    with tenant(org_a):
        invoice.refresh_from_db()
    assert invoice.emailed_at is not None
    assert _notices(org_b, "invoice.issued") == []

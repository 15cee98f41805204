"""Buying a hotspot package with M-Pesa: paid → exactly one voucher, shown to the payer."""

from decimal import Decimal

import pytest

from accounts.tenancy import tenant
from billing import fulfilment
from billing.models import Fulfilment, Payment
from billing.purposes import give_voucher
from billing.services.online import mpesa_payment_start
from tests.billing.conftest import post_delivery
from tests.vouchers.factories import PackageFactory
from vouchers.models import Voucher


@pytest.fixture
def package(kenya_org):
    return PackageFactory(organization=kenya_org, name="1 day", price=Decimal("30.00"))


def _buy(kenya_org, package, capture):
    with tenant(kenya_org), capture(execute=True):
        return mpesa_payment_start(
            organization=kenya_org,
            phone="0712345678",
            amount=package.price,
            description=package.name,
            purpose="package",
            purpose_ref=str(package.pk),
            router_label="Market hotspot",
        )


def test_billing_registers_the_package_handler_when_vouchers_has_none():
    assert fulfilment.get("package").handler is give_voucher


@pytest.mark.django_db
def test_a_paid_package_gives_one_voucher_whatever_the_callbacks(
    client, kenya_org, mpesa_account, daraja, package, django_capture_on_commit_callbacks
):
    # given a package bought with M-Pesa, whose callback Daraja sends 5 times
    daraja.callback_copies = 5
    payment = _buy(kenya_org, package, django_capture_on_commit_callbacks)
    with daraja.lock:
        deliveries, daraja.held = list(daraja.held), []

    # when all five arrive
    with django_capture_on_commit_callbacks(execute=True):
        assert [post_delivery(client, d).status_code for d in deliveries] == [200] * 5

    # then exactly one voucher was issued for this payment, and the payer sees its code
    with tenant(kenya_org):
        voucher = Voucher.objects.get()
        item = Fulfilment.objects.get(payment_id=payment.pk)
    assert voucher.payment_reference == payment.reference
    assert voucher.package_id == package.pk
    assert voucher.sold_price == Decimal("30.00") and voucher.currency == "KES"
    assert item.status == "done" and item.result["voucher_id"] == voucher.pk
    page = client.get(f"/payments/public/{payment.public_id}/")
    assert voucher.code in page.content.decode()
    assert b"Paid" in page.content


@pytest.mark.django_db
def test_a_deleted_package_fails_delivery_for_staff_to_handle(
    client, kenya_org, mpesa_account, daraja, package, django_capture_on_commit_callbacks
):
    payment = _buy(kenya_org, package, django_capture_on_commit_callbacks)
    with tenant(kenya_org):
        Payment.objects.filter(pk=payment.pk).update(purpose_ref="999999")
    with daraja.lock:
        [delivery] = daraja.held
    with django_capture_on_commit_callbacks(execute=True):
        post_delivery(client, delivery)
    with tenant(kenya_org):
        item = Fulfilment.objects.get()
        assert Payment.objects.get().status == "paid"
        assert not Voucher.objects.exists()
    assert item.status == "failed" and "no longer exists" in item.last_error
    page = client.get(f"/payments/public/{payment.public_id}/").content.decode()
    assert "could not deliver automatically" in page

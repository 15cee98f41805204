"""Paying for a hotspot package with M-Pesa on a phone: the payer's page follows the
fake Daraja (real HTTP callbacks to the live server) until the voucher shows.

The phone-number form on the landing page belongs to the portal app; here the
purchase is started through the same service the portal calls."""

from decimal import Decimal

import pytest

from accounts.tenancy import tenant
from billing.models import ProcessorAccount
from billing.services.online import mpesa_payment_start
from billing.services.processors import processor_account_save
from tests.vouchers.factories import PackageFactory
from vouchers.models import Voucher


@pytest.fixture
def daraja_live(settings, live_server):
    from billing.fakes.daraja import FakeDaraja

    fake = FakeDaraja().start()
    fake.complete_after = 1.5  # the payer takes a moment to type the PIN
    settings.BILLING_MPESA_BASE_URL = fake.url
    settings.BILLING_CALLBACK_BASE_URL = live_server.url
    yield fake
    fake.stop()


@pytest.mark.django_db(transaction=True)
def test_pay_for_a_package_with_mpesa_and_see_the_voucher(phone_page, daraja_live, org_a):
    org_a.country, org_a.currency = "KE", "KES"
    org_a.save()
    package = PackageFactory(organization=org_a, name="1 day", price=Decimal("30.00"))
    with tenant(org_a):
        processor_account_save(
            organization=org_a,
            kind=ProcessorAccount.Kind.MPESA,
            fields={"shortcode": "174379"},
            secrets={
                "consumer_key": "fake-consumer-key",
                "consumer_secret": "fake-consumer-secret",
                "passkey": "fake-passkey",
            },
        )
        payment = mpesa_payment_start(
            organization=org_a,
            phone="0712 345 678",
            amount=package.price,
            description=package.name,
            purpose="package",
            purpose_ref=str(package.pk),
        )

    phone_page.goto(f"/payments/public/{payment.public_id}/")
    assert phone_page.get_by_text("Check your phone").is_visible()
    assert phone_page.get_by_text("30 KES").is_visible()

    code = phone_page.locator("[data-testid=delivered-value]")
    code.wait_for(timeout=20_000)
    with tenant(org_a):
        voucher = Voucher.objects.get(payment_reference=payment.reference)
    assert code.inner_text() == voucher.code
    assert phone_page.get_by_text("Paid — thank you!").is_visible()
    # nothing overflows a 360px-wide screen
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360

"""Buy and connect: package → M-Pesa (fake Daraja) or Paystack → voucher → device online."""

import re
from decimal import Decimal

import pytest

from accounts.tenancy import tenant
from billing.models import Fulfilment, Payment
from billing.services.payments import fulfilment_run
from customers.models import Customer, CustomerDevice
from nettportal import sms
from portal.models import PortalPurchase
from tests.billing.conftest import post_delivery
from tests.portal.conftest import DEVICE_IP, DEVICE_MAC, handoff_params
from tests.portal.factories import LandingPageFactory, standard_blocks
from tests.vouchers.factories import PackageFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(hotspot, kenya_org, mpesa_account, in_tenant):
    """A Kenyan café selling "1 Day" for KSh 50 with M-Pesa."""
    with in_tenant(kenya_org):
        hotspot["package"].price = Decimal("50.00")
        hotspot["package"].save()
    return hotspot


def handoff_token(client, params=None):
    body = client.get("/p/kofi-cafe/", params or handoff_params()).content.decode()
    return re.search(r'name="h" value="([^"]+)"', body).group(1)


def buy_with_mpesa(client, shop, phone="0712345678", params=None):
    token = handoff_token(client, params)
    return client.post(
        "/p/kofi-cafe/buy/",
        {"package": shop["package"].pk, "method": "mpesa", "phone": phone, "h": token},
    )


def deliver_callbacks(client, daraja, capture):
    with daraja.lock:
        held, daraja.held = list(daraja.held), []
    with capture(execute=True):
        return [post_delivery(client, delivery).status_code for delivery in held]


def purchase_of(org, response):
    token = response["Location"].rstrip("/").split("/")[-1]
    with tenant(org):
        return PortalPurchase.objects.select_related("voucher", "payment").get(token=token)


def test_landing_page_lists_the_package_with_its_price(client, shop):
    body = client.get("/p/kofi-cafe/", handoff_params()).content.decode()
    assert "1 Day" in body
    assert "KSh 50" in body
    assert 'action="/p/kofi-cafe/buy/"' in body


def test_buy_with_mpesa_and_get_online(
    client, shop, daraja, kenya_org, django_capture_on_commit_callbacks
):
    # given the buy page of the package
    buy_page = client.get(
        "/p/kofi-cafe/buy/", {"package": shop["package"].pk, "h": handoff_token(client)}
    )
    assert "Pay KSh 50 with M-Pesa" in buy_page.content.decode()

    # when the customer pays with their phone number
    with django_capture_on_commit_callbacks(execute=True):
        response = buy_with_mpesa(client, shop)

    # then an STK push was sent and the waiting page refreshes itself
    assert response.status_code == 303
    waiting = client.get(response["Location"])
    body = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in body
    assert "enter your M-Pesa PIN" in body
    assert "<script" not in body
    assert daraja.push_requests[-1]["PhoneNumber"] == "254712345678"
    assert daraja.push_requests[-1]["Amount"] == 50

    # when M-Pesa confirms the payment
    assert deliver_callbacks(client, daraja, django_capture_on_commit_callbacks) == [200]

    # then the device is online, the page shows the code, and the code came by SMS
    purchase = purchase_of(kenya_org, response)
    assert purchase.status == PortalPurchase.Status.FULFILLED
    assert purchase.access == PortalPurchase.Access.ONLINE
    sessions = shop["router"].sim.hotspot_active
    assert [(s["user"], s["address"], s["mac-address"]) for s in sessions] == [
        (purchase.voucher.code, DEVICE_IP, DEVICE_MAC)
    ]
    done = client.get(response["Location"]).content.decode()
    assert "You are connected" in done
    assert purchase.voucher.code in done
    assert 'http-equiv="refresh"' not in done
    assert [m.to for m in sms.outbox] == ["+254712345678"]
    assert purchase.voucher.code in sms.outbox[0].body
    # and the buyer is now the operator's hotspot customer, with this device
    with tenant(kenya_org):
        customer = Customer.objects.get(phone="+254712345678")
        assert customer.source == Customer.Source.PORTAL
        assert CustomerDevice.objects.filter(customer=customer, mac_address=DEVICE_MAC).exists()
        voucher = Voucher.objects.get()
        assert voucher.status == Voucher.Status.ACTIVE
        assert Payment.objects.get().purpose == "portal_purchase"


def test_a_cancelled_payment_says_so_and_offers_to_try_again(
    client, shop, daraja, kenya_org, django_capture_on_commit_callbacks
):
    daraja.outcomes["254712345678"] = 1032  # the payer cancels the prompt
    with django_capture_on_commit_callbacks(execute=True):
        response = buy_with_mpesa(client, shop)
    deliver_callbacks(client, daraja, django_capture_on_commit_callbacks)

    body = client.get(response["Location"]).content.decode()
    assert "Payment not completed" in body
    assert "No money was taken." in body
    assert f"/p/kofi-cafe/buy/?package={shop['package'].pk}" in body
    assert 'http-equiv="refresh"' not in body
    with tenant(kenya_org):
        assert not Voucher.objects.exists()
    assert shop["router"].sim.hotspot_active == []


def test_mpesa_refusing_the_request_takes_no_money_and_explains(
    client, shop, daraja, kenya_org, django_capture_on_commit_callbacks
):
    daraja.fail(
        "push",
        status=400,
        body={"errorCode": "400.002.02", "errorMessage": "Bad Request - Invalid PhoneNumber"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = buy_with_mpesa(client, shop)
    assert response.status_code == 502
    assert "could not be started. No money was taken." in response.content.decode()
    with tenant(kenya_org):
        assert PortalPurchase.objects.get().status == PortalPurchase.Status.FAILED


def test_router_offline_when_paid_is_retried_and_never_charges_without_access(
    client, shop, daraja, kenya_org, sim_fleet, django_capture_on_commit_callbacks
):
    # given the router is down when M-Pesa confirms the payment
    with django_capture_on_commit_callbacks(execute=True):
        response = buy_with_mpesa(client, shop)
    sim_fleet.take_down(shop["router"].sim)
    deliver_callbacks(client, daraja, django_capture_on_commit_callbacks)

    # then the buyer is told the payment arrived and we keep trying
    body = client.get(response["Location"]).content.decode()
    assert "Payment received" in body
    assert "not answering yet; we keep trying" in body
    assert 'content="5"' in body
    with tenant(kenya_org):
        item = Fulfilment.objects.get()
        assert item.status == "pending" and item.attempts == 1
        assert not Voucher.objects.exists()

    # when the router is back and billing retries the fulfilment
    sim_fleet.bring_up(shop["router"].sim)
    with tenant(kenya_org), django_capture_on_commit_callbacks(execute=True):
        assert fulfilment_run(payment_id=item.payment_id) == "done"

    # then the device is online with exactly one voucher
    purchase = purchase_of(kenya_org, response)
    assert purchase.access == PortalPurchase.Access.ONLINE
    assert [s["user"] for s in shop["router"].sim.hotspot_active] == [purchase.voucher.code]


def test_after_the_grace_period_the_code_is_delivered_without_the_router(
    client, shop, daraja, kenya_org, sim_fleet, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_ROUTER_GRACE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = buy_with_mpesa(client, shop)
    sim_fleet.take_down(shop["router"].sim)
    deliver_callbacks(client, daraja, django_capture_on_commit_callbacks)

    purchase = purchase_of(kenya_org, response)
    assert purchase.status == PortalPurchase.Status.FULFILLED
    assert purchase.access == PortalPurchase.Access.CODE_ONLY
    assert purchase.voucher.status == Voucher.Status.UNUSED  # redeemable when the router is back
    body = client.get(response["Location"]).content.decode()
    assert purchase.voucher.code in body
    assert "Type it in the voucher box" in body
    assert purchase.voucher.code in sms.outbox[0].body


def test_paid_voucher_can_be_recovered_with_phone_and_mpesa_receipt(
    client, shop, daraja, kenya_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = buy_with_mpesa(client, shop)
    deliver_callbacks(client, daraja, django_capture_on_commit_callbacks)
    purchase = purchase_of(kenya_org, response)
    receipt = purchase.payment.processor_receipt
    assert receipt

    # a wrong reference finds nothing, and says so
    miss = client.post(
        "/p/kofi-cafe/recover/", {"contact": "0712345678", "reference": "QXX0000000"}
    )
    assert miss.status_code == 400
    assert "We found no paid voucher" in miss.content.decode()
    assert purchase.voucher.code not in miss.content.decode()

    # someone else's phone with the right receipt finds nothing either
    other = client.post("/p/kofi-cafe/recover/", {"contact": "0722000000", "reference": receipt})
    assert purchase.voucher.code not in other.content.decode()

    # the buyer's phone (any format) with the receipt (any case) finds the code
    hit = client.post(
        "/p/kofi-cafe/recover/", {"contact": "+254 712 345 678", "reference": receipt.lower()}
    )
    assert hit.status_code == 200
    assert purchase.voucher.code in hit.content.decode()
    assert "Connect with this code" in hit.content.decode()


def test_recovery_guessing_is_rate_limited(client, shop):
    statuses = [
        client.post(
            "/p/kofi-cafe/recover/", {"contact": "0712345678", "reference": f"QXX{n:07d}"}
        ).status_code
        for n in range(7)
    ]
    assert statuses[:5] == [400] * 5
    assert statuses[5:] == [429, 429]


def test_card_payment_goes_to_the_paystack_checkout(
    client, hotspot, paystack_account, paystack, org_a, django_capture_on_commit_callbacks
):
    token = handoff_token(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/p/kofi-cafe/buy/",
            {
                "package": hotspot["package"].pk,
                "method": "paystack",
                "email": "Ama@Example.test",
                "phone": "024 123 4567",
                "h": token,
            },
        )
    assert response.status_code == 303
    assert response["Location"].startswith(paystack.url)
    with tenant(org_a):
        purchase = PortalPurchase.objects.get()
    assert purchase.email == "ama@example.test"
    assert purchase.phone == "+233241234567"
    assert purchase.payment.processor == "paystack"


def test_unavailable_methods_are_not_offered_nor_accepted(client, hotspot, org_a):
    # organisation A is in Ghana (cedis) and has no processor set up: only the counter
    body = client.get("/p/kofi-cafe/", handoff_params()).content.decode()
    assert "1 Day" not in body  # no way to pay: the package list is hidden
    response = client.post(
        "/p/kofi-cafe/buy/",
        {"package": hotspot["package"].pk, "method": "mpesa", "phone": "0241234567"},
    )
    assert response.status_code == 303
    with tenant(org_a):
        assert not PortalPurchase.objects.exists()


def test_another_operators_package_and_waiting_page_are_never_shown(
    client, shop, org_b, daraja, kenya_org, django_capture_on_commit_callbacks
):
    package_b = PackageFactory(organization=org_b, name="Bravo secret", profile_name="np-b")
    page_b = LandingPageFactory(organization=org_b, slug="bravo-wifi")
    standard_blocks(page_b)
    foreign = client.get("/p/kofi-cafe/buy/", {"package": package_b.pk})
    assert foreign.status_code == 303
    assert "Bravo secret" not in client.get(foreign["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = buy_with_mpesa(client, shop)
    token = response["Location"].rstrip("/").split("/")[-1]
    assert client.get(f"/p/bravo-wifi/pay/{token}/").status_code == 404

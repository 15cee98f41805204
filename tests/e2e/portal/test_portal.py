"""The hotspot landing page in a 360×640 Chromium, with JavaScript off where it matters:
voucher login through the simulator (API login and the CHAP hand-off to the router's
login page), buy-and-connect through the fake Daraja, a wrong code, the lockout, the
"your data" request, and an axe-core accessibility check."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tenancy import tenant
from portal import services
from portal.pagecache import page_config_clear
from privacy.models import PrivacyRequest
from tests.customers.factories import CustomerFactory
from tests.e2e.portal.conftest import DEVICE_IP, DEVICE_MAC, arrive, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_voucher_login_through_the_router_api(no_js_phone, cafe, router_web):
    page = arrive(no_js_phone, router_web)
    expect(page.get_by_role("heading", name="Kofi's Café")).to_be_visible()

    page.get_by_label("Voucher code").fill("net7k4m q9rt")
    page.get_by_role("button", name="Connect").click()

    expect(page.get_by_role("heading", name="You are connected")).to_be_visible()
    expect(page.get_by_text("NET-7K4M-Q9RT")).to_be_visible()
    sessions = cafe["router"].sim.hotspot_active
    assert [(s["user"], s["address"], s["mac-address"]) for s in sessions] == [
        ("NET-7K4M-Q9RT", DEVICE_IP, DEVICE_MAC)
    ]
    page.screenshot(path="var/e2e-portal-connected.png", full_page=True)


def test_voucher_login_handed_back_to_the_routers_login_page_with_chap(
    no_js_phone, cafe, router_web, org_a
):
    with tenant(org_a):
        services.landing_page_update(page=cafe["page"], actor=None, login_method="handoff")
    page_config_clear()
    page = arrive(no_js_phone, router_web)

    page.get_by_label("Voucher code").fill("NET-7K4M-Q9RT")
    page.get_by_role("button", name="Connect").click()

    # the browser lands on the router's /login with the CHAP answer, and the router lets it in
    expect(page.get_by_role("heading", name="You are logged in as NET-7K4M-Q9RT")).to_be_visible()
    assert page.url.startswith(router_web.base_url + "/login?username=NET-7K4M-Q9RT")
    assert router_web.logins == [{"user": "NET-7K4M-Q9RT", "mac": DEVICE_MAC, "ip": DEVICE_IP}]
    assert router_web.refusals == []


def test_wrong_code_then_lockout(no_js_phone, cafe, router_web, settings):
    settings.PORTAL_GUESSES_PER_DEVICE = 3
    page = arrive(no_js_phone, router_web)

    page.get_by_label("Voucher code").fill("NET-0000-0000")
    page.get_by_role("button", name="Connect").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(
        "That code is not valid. Check the letters and numbers and try again."
    )
    expect(page.get_by_label("Voucher code")).to_have_value("NET-0000-0000")

    for attempt in ("NET-0000-0001", "NET-0000-0002"):
        page.get_by_label("Voucher code").fill(attempt)
        page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many wrong codes")
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"try again in 15 minutes \(at \d\d:\d\d\)")
    )

    # the right code is refused too while locked out, and stays unused
    page.get_by_label("Voucher code").fill("NET-7K4M-Q9RT")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many wrong codes")
    assert cafe["router"].sim.hotspot_active == []


def test_buy_and_connect_with_mpesa(
    no_js_phone, cafe, router_web, daraja, kenya_org, mpesa_account, live_server, settings
):
    settings.BILLING_CALLBACK_BASE_URL = live_server.url
    daraja.callback_mode = "send"
    daraja.complete_after = 1.0
    page = arrive(no_js_phone, router_web)

    expect(page.get_by_text("KSh 50")).to_be_visible()
    page.get_by_role("button", name="Buy").click()
    page.get_by_label("M-Pesa phone number").fill("0712 345 678")
    page.get_by_role("button", name="Pay KSh 50 with M-Pesa").click()

    # the waiting page refreshes itself (no JavaScript) until M-Pesa's callback lands
    expect(page.get_by_role("heading", name="Waiting for your payment")).to_be_visible()
    expect(page.get_by_role("heading", name="You are connected")).to_be_visible(timeout=30_000)
    code = page.locator(".v").inner_text()
    sessions = cafe["router"].sim.hotspot_active
    assert [(s["user"], s["mac-address"]) for s in sessions] == [(code, DEVICE_MAC)]
    page.screenshot(path="var/e2e-portal-bought.png", full_page=True)


def test_your_data_request_reaches_the_operators_queue(no_js_phone, cafe, router_web, org_a):
    from nettportal import sms

    with tenant(org_a):
        CustomerFactory(organization=org_a, phone="+233241234567")
    page = arrive(no_js_phone, router_web)

    page.get_by_role("link", name="Your data").click()
    page.get_by_label("Delete my data").check()
    page.get_by_label("Your name").fill("Ama Mensah")
    page.get_by_label("Your phone number or email address").fill("024 123 4567")
    page.get_by_role("button", name="Send me a code").click()

    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    page.get_by_label("The 6-digit code").fill(code)
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    with tenant(org_a):
        privacy_request = PrivacyRequest.objects.get()
    assert privacy_request.kind == "erasure"
    expect(page.get_by_text(privacy_request.reference)).to_be_visible()


def test_landing_pages_pass_an_accessibility_check(a11y_page, cafe, router_web, org_a, settings):
    settings.PORTAL_GUESSES_PER_DEVICE = 50
    page = a11y_page
    checked = {}
    page.goto(router_web.start_url(mac=DEVICE_MAC, ip=DEVICE_IP))
    checked["landing"] = axe_violations(page)

    page.get_by_label("Voucher code").fill("NET-0000-0000")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("alert")).to_be_visible()
    checked["wrong code"] = axe_violations(page)

    page.get_by_role("link", name="Your data").click()
    page.get_by_role("button", name="Send me a code").click()  # empty: errors shown
    checked["your data with errors"] = axe_violations(page)

    page.goto("/p/kofi-cafe/privacy/")
    checked["privacy notice"] = axe_violations(page)

    page.goto("/p/kofi-cafe/recover/")
    checked["recover"] = axe_violations(page)

    with tenant(org_a):
        services.landing_page_update(
            page=cafe["page"], actor=None, language="fr", color_primary="#ffcc00"
        )
    page_config_clear()
    page.goto(router_web.start_url(mac=DEVICE_MAC, ip=DEVICE_IP))
    checked["landing in French, yellow buttons"] = axe_violations(page)

    assert {name: found for name, found in checked.items() if found} == {}
    # and the keyboard alone reaches the code box and its button, in that order
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement.name || document.activeElement.innerText")
        )
    assert "code" in reached
    assert reached.index("code") < reached.index("Se connecter")

"""Fixtures and helpers for the landing-page browser tests."""

from decimal import Decimal
from pathlib import Path

import pytest

from nettportal import sms
from portal.models import LandingPagePackage, LandingPageRouter
from portal.pagecache import page_config_clear
from tests.portal.factories import LandingPageFactory, standard_blocks
from tests.portal.fake_hotspot import FakeHotspot
from tests.vouchers.factories import PackageFactory, VoucherFactory

AXE = Path(__file__).resolve().parents[3] / "static" / "vendor" / "axe.min.js"
DEVICE_MAC = "02:AA:BB:CC:DD:01"
DEVICE_IP = "10.5.50.23"


@pytest.fixture
def portal_state(settings):
    settings.SMS_BACKEND = "nettportal.sms.LocmemBackend"
    settings.ROUTER_CONNECT_TIMEOUT = 2
    settings.ROUTER_READ_TIMEOUT = 3
    page_config_clear()
    sms.outbox.clear()
    yield
    page_config_clear()
    sms.outbox.clear()


@pytest.fixture
def cafe(portal_state, org_a, sim_router, in_tenant):
    """Organisation A's café: router "Cafe" (simulated), its landing page, a package, a voucher."""
    router = sim_router(org_a, name="Cafe")
    page = LandingPageFactory(
        organization=org_a,
        slug="kofi-cafe",
        title="Kofi's Café",
        counter_instructions="Pay at the bar and ask for a voucher.",
    )
    standard_blocks(page, welcome="Karibu! Fast Wi-Fi for our guests.")
    package = PackageFactory(
        organization=org_a, name="1 Day", profile_name="np-1-day", price=Decimal("50.00")
    )
    voucher = VoucherFactory(
        organization=org_a, package=package, code="NET-7K4M-Q9RT", lookup="NET7K4MQ9RT"
    )
    with in_tenant(org_a):
        LandingPageRouter.objects.create(organization=org_a, page=page, router=router)
        LandingPagePackage.objects.create(organization=org_a, page=page, package=package)
    return {"page": page, "router": router, "package": package, "voucher": voucher}


@pytest.fixture
def router_web(cafe, live_server):
    """The router's own hotspot web pages (login.html hand-off and /login) for the café."""
    with FakeHotspot(
        cafe["router"].sim, portal_url=f"{live_server.url}/p/kofi-cafe/", identity="Cafe"
    ) as fake:
        yield fake


def arrive(phone_page, router_web):
    """The phone joins the Wi-Fi and opens a website: the router hands it to the landing page."""
    phone_page.goto(router_web.start_url(mac=DEVICE_MAC, ip=DEVICE_IP))
    return phone_page


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result
    ]


@pytest.fixture
def a11y_page(browser, live_server):
    """A 360×640 phone page that lets axe-core in despite the page's no-script CSP."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def no_js_phone(browser, live_server):
    """A phone with JavaScript turned off: the landing page must work without it."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# The fake Daraja and its M-Pesa account, from billing's fixtures.
from tests.billing.conftest import daraja, kenya_org, mpesa_account  # noqa: E402, F401

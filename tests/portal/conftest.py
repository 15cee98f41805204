import pytest

from nettportal import sms
from portal.models import LandingPagePackage, LandingPageRouter
from portal.pagecache import page_config_clear
from tests.portal.factories import LandingPageFactory, standard_blocks
from tests.vouchers.factories import PackageFactory, VoucherFactory

DEVICE_MAC = "02:AA:BB:CC:DD:01"
DEVICE_IP = "10.5.50.23"


@pytest.fixture(autouse=True)
def _portal_state(settings):
    """Each test starts with no cached page configs and an empty SMS outbox."""
    settings.SMS_BACKEND = "nettportal.sms.LocmemBackend"
    settings.ROUTER_CONNECT_TIMEOUT = 1
    settings.ROUTER_READ_TIMEOUT = 2
    page_config_clear()
    sms.outbox.clear()
    yield
    page_config_clear()
    sms.outbox.clear()


@pytest.fixture
def hotspot(org_a, sim_router, in_tenant):
    """Organisation A's café: a simulated router "Cafe", a page using it, a package on sale."""
    router = sim_router(org_a, name="Cafe")
    page = LandingPageFactory(organization=org_a, slug="kofi-cafe", title="Kofi's Café")
    standard_blocks(page)
    package = PackageFactory(
        organization=org_a, name="1 Day", profile_name="np-1-day", sold_on_landing_page=True
    )
    with in_tenant(org_a):
        LandingPageRouter.objects.create(organization=org_a, page=page, router=router)
        LandingPagePackage.objects.create(organization=org_a, page=page, package=package)
    return {"page": page, "router": router, "package": package}


@pytest.fixture
def make_voucher(org_a, hotspot):
    def make(code="NET-7K4M-Q9RT", **fields):
        fields.setdefault("package", hotspot["package"])
        fields.setdefault("organization", org_a)
        return VoucherFactory(code=code, lookup=code.replace("-", ""), **fields)

    return make


def handoff_params(router_name="Cafe", **overrides):
    params = {
        "mac": DEVICE_MAC,
        "ip": DEVICE_IP,
        "link-login-only": "http://10.5.50.1/login",
        "link-orig": "http://example.com/",
        "chap-id": "\\375",
        "chap-challenge": "\\061\\222\\036\\377",
        "identity": router_name,
    }
    params.update(overrides)
    return params


# The fake Daraja and Paystack and their processor accounts, from billing's fixtures.
from tests.billing.conftest import (  # noqa: E402, F401
    daraja,
    kenya_org,
    mpesa_account,
    paystack,
    paystack_account,
)

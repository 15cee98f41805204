import pytest

from tests.vouchers.factories import PackageFactory


@pytest.fixture
def package_a(org_a):
    return PackageFactory(organization=org_a, name="1 Day", profile_name="np-1-day")


@pytest.fixture
def package_b(org_b):
    return PackageFactory(organization=org_b, name="1 Day", profile_name="np-1-day")


@pytest.fixture
def fast_router_timeouts(settings):
    """Short router timeouts so offline-router tests finish quickly."""
    settings.ROUTER_CONNECT_TIMEOUT = 1
    settings.ROUTER_READ_TIMEOUT = 2


@pytest.fixture
def router_a(sim_router, org_a, fast_router_timeouts):
    """A simulated router of organisation A (``router_a.sim`` is the simulator)."""
    return sim_router(org_a, name="Accra Mall")


@pytest.fixture
def unused_voucher(org_a, package_a, in_tenant):
    from tests.vouchers.factories import VoucherFactory

    return VoucherFactory(
        organization=org_a,
        package=package_a,
        code="NET-7K4M-Q9RT",
        lookup="NET7K4MQ9RT",
        pin="4821",
    )

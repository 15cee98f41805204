"""Packages as /ip/hotspot/user/profile on routers: create, update, remove, drift."""

from datetime import timedelta
from decimal import Decimal

import pytest

from nettportal.errors import Conflict, ValidationFailed
from tests.vouchers.factories import VoucherFactory
from vouchers.models import Package, PackageRouterSync
from vouchers.services import package_create, package_delete, package_update, router_reconcile

pytestmark = pytest.mark.django_db(transaction=True)


def _profile(router, name):
    return next((p for p in router.sim.hotspot_profiles if p["name"] == name), None)


def _create(org, owner, **fields):
    fields.setdefault("name", "1 Hour")
    fields.setdefault("price", Decimal("2.00"))
    fields.setdefault("validity", timedelta(hours=1))
    fields.setdefault("rate_limit", "2M/5M")
    fields.setdefault("shared_users", 2)
    return package_create(organization=org, actor=owner, **fields)


def test_new_package_becomes_a_profile_on_every_router(
    org_a, owner_a, router_a, sim_router, in_tenant
):
    other = sim_router(org_a, name="Kumasi")
    with in_tenant(org_a):
        package = _create(org_a, owner_a)
        states = set(PackageRouterSync.objects.values_list("state", flat=True))
    assert package.profile_name == "np-1-hour"
    for router in (router_a, other):
        profile = _profile(router, "np-1-hour")
        assert profile["rate-limit"] == "2M/5M" and profile["shared-users"] == "2"
    assert states == {"synced"}


def test_changes_update_the_profile_and_sync_is_idempotent(org_a, owner_a, router_a, in_tenant):
    with in_tenant(org_a):
        package = _create(org_a, owner_a)
        package_update(package=package, actor=owner_a, rate_limit="4M/8M", shared_users=3)
        commands = len(router_a.sim.commands_seen)
        from vouchers.services import package_sync

        package_sync(package=package)
        sets = [c for c in router_a.sim.commands_seen[commands:] if c.endswith("/set")]
        sync = PackageRouterSync.objects.get(package=package)
    profile = _profile(router_a, "np-1-hour")
    assert profile["rate-limit"] == "4M/8M" and profile["shared-users"] == "3"
    assert sets == []  # nothing to change the second time
    assert sync.drift == []


def test_drift_on_the_router_is_found_fixed_and_shown(org_a, owner_a, router_a, in_tenant):
    with in_tenant(org_a):
        package = _create(org_a, owner_a)
    # someone edits the profile in Winbox
    router_a.sim.execute(
        "/ip/hotspot/user/profile/set", {"numbers": "np-1-hour", "rate-limit": "10M/10M"}, []
    )
    with in_tenant(org_a):
        router_reconcile(router=router_a)
        sync = PackageRouterSync.objects.get(package=package)
    assert _profile(router_a, "np-1-hour")["rate-limit"] == "2M/5M"
    assert sync.drift == [{"field": "rate-limit", "router": "10M/10M", "expected": "2M/5M"}]
    assert sync.drift_seen_at is not None


def test_profile_deleted_on_the_router_is_recreated_and_reported(
    org_a, owner_a, router_a, in_tenant
):
    with in_tenant(org_a):
        package = _create(org_a, owner_a)
    router_a.sim.execute("/ip/hotspot/user/profile/remove", {"numbers": "np-1-hour"}, [])
    with in_tenant(org_a):
        router_reconcile(router=router_a)
        sync = PackageRouterSync.objects.get(package=package)
    assert _profile(router_a, "np-1-hour") is not None
    assert sync.drift[0]["field"] == "profile"


def test_router_taken_off_the_package_loses_the_profile_unless_in_use(
    org_a, owner_a, router_a, sim_router, in_tenant
):
    other = sim_router(org_a, name="Kumasi")
    with in_tenant(org_a):
        package = _create(org_a, owner_a)
        # a voucher is active on router A
        VoucherFactory(organization=org_a, package=package, status="active", router=router_a)
        package_update(package=package, actor=owner_a, on_all_routers=False, routers=[])
        kept = PackageRouterSync.objects.get(package=package, router=router_a)
        assert not PackageRouterSync.objects.filter(package=package, router=other).exists()
    assert _profile(other, "np-1-hour") is None
    assert _profile(router_a, "np-1-hour") is not None
    assert kept.state == PackageRouterSync.State.KEPT


def test_offline_router_is_shown_as_failed_and_retried(
    org_a, owner_a, router_a, sim_fleet, in_tenant
):
    sim_fleet.take_down(router_a.sim)
    with in_tenant(org_a):
        package = _create(org_a, owner_a)
        sync = PackageRouterSync.objects.get(package=package)
        assert sync.state == PackageRouterSync.State.ERROR
        assert "refused" in sync.last_error or "reach" in sync.last_error
        sim_fleet.bring_up(router_a.sim)
        router_reconcile(router=router_a)
        sync.refresh_from_db()
    assert sync.state == PackageRouterSync.State.SYNCED


def test_delete_only_without_vouchers_and_the_profile_goes(org_a, owner_a, router_a, in_tenant):
    with in_tenant(org_a):
        package = _create(org_a, owner_a)
        sold = _create(org_a, owner_a, name="1 Day")
        VoucherFactory(organization=org_a, package=sold)
        with pytest.raises(Conflict, match="inactive"):
            package_delete(package=sold, actor=owner_a)
        package_delete(package=package, actor=owner_a)
        assert list(Package.objects.values_list("name", flat=True)) == ["1 Day"]
    assert _profile(router_a, "np-1-hour") is None
    assert _profile(router_a, "np-1-day") is not None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": " "}, "name", "name"),
        ({"price": "-1"}, "price", "negative"),
        ({"price": "1.234"}, "price", "2 decimals"),
        ({"price": "abc"}, "price", "price"),
        ({"rate_limit": "fast"}, "rate_limit", "speed"),
        ({"rate_limit": "0/0"}, "rate_limit", "block"),
        ({"rate_limit": "2M/5M 4M/8M 1M/2M 8/8 9"}, "rate_limit", "Priority"),
        ({"shared_users": 0}, "shared_users", "between 1 and 100"),
        ({"validity": timedelta(seconds=10)}, "validity", "one minute"),
        ({"data_limit_bytes": 10}, "data_limit_bytes", "1 MB"),
    ],
)
def test_bad_package_input_is_refused_and_nothing_changes(
    org_a, owner_a, router_a, in_tenant, fields, field, message
):
    with in_tenant(org_a):
        with pytest.raises(ValidationFailed, match=message) as error:
            _create(org_a, owner_a, **fields)
        assert error.value.field == field
        assert not Package.objects.exists()
    assert _profile(router_a, "np-1-hour") is None


def test_rate_limit_with_burst_is_accepted(org_a, owner_a, router_a, in_tenant):
    with in_tenant(org_a):
        _create(org_a, owner_a, rate_limit="2M/5M 4M/10M 1500k/4M 8/8 5")
    assert _profile(router_a, "np-1-hour")["rate-limit"] == "2M/5M 4M/10M 1500k/4M 8/8 5"


def test_duplicate_names_are_refused_case_insensitively(org_a, owner_a, router_a, in_tenant):
    with in_tenant(org_a):
        _create(org_a, owner_a)
        with pytest.raises(Conflict, match="already have"):
            _create(org_a, owner_a, name="1 hour")


def test_same_name_in_two_organisations(org_a, org_b, owner_a, owner_b, in_tenant):
    with in_tenant(org_a):
        a = _create(org_a, owner_a)
    with in_tenant(org_b):
        b = _create(org_b, owner_b)
    assert a.profile_name == b.profile_name == "np-1-hour"

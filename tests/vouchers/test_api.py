"""The REST API: read packages and vouchers, redeem and revoke, in one error shape."""

import pytest

from accounts.roles import Role
from tests.vouchers.factories import VoucherFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db(transaction=True)


def test_list_packages_and_vouchers(client_a, org_a, package_a, in_tenant):
    with in_tenant(org_a):
        voucher = VoucherFactory(organization=org_a, package=package_a)
    packages = client_a.get("/api/v1/packages/").json()["results"]
    assert [p["name"] for p in packages] == ["1 Day"]
    assert packages[0]["currency"] == "GHS" and packages[0]["validity_seconds"] == 86400
    page = client_a.get("/api/v1/vouchers/", {"status": "unused"}).json()
    assert [v["code"] for v in page["results"]] == [voucher.code]
    assert client_a.get("/api/v1/vouchers/", {"status": "revoked"}).json()["results"] == []
    typed = voucher.code.lower().replace("-", " ")[:6]
    found = client_a.get("/api/v1/vouchers/", {"q": typed}).json()["results"]
    assert [v["code"] for v in found] == [voucher.code]
    one = client_a.get(f"/api/v1/vouchers/{voucher.pk}/").json()
    assert one["status"] == "unused"


def test_redeem_through_the_api(client_a, org_a, package_a, router_a, in_tenant):
    with in_tenant(org_a):
        voucher = VoucherFactory(organization=org_a, package=package_a, pin="9090")
    response = client_a.post(
        "/api/v1/vouchers/redeem/",
        {
            "code": voucher.code.lower(),
            "router": router_a.pk,
            "mac": "02:AA:BB:CC:DD:01",
            "ip": "10.5.50.2",
        },
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["logged_in"] is True
    assert body["username"] == voucher.code and body["password"] == "9090"
    assert body["voucher"]["status"] == "active"
    again = client_a.post(
        "/api/v1/vouchers/redeem/",
        {"code": voucher.code, "router": router_a.pk},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "voucher_not_redeemable"
    assert again.json()["error"]["fields"] == {"code": ["This code has already been used."]}


def test_offline_router_is_a_503_and_the_voucher_is_kept(
    client_a, org_a, package_a, router_a, sim_fleet, in_tenant
):
    with in_tenant(org_a):
        voucher = VoucherFactory(organization=org_a, package=package_a)
    sim_fleet.take_down(router_a.sim)
    response = client_a.post(
        "/api/v1/vouchers/redeem/",
        {"code": voucher.code, "router": router_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "router_unavailable"
    with in_tenant(org_a):
        assert Voucher.objects.get(pk=voucher.pk).status == "unused"


def test_viewer_cannot_redeem_or_revoke(client, org_a, package_a, router_a, make_member, in_tenant):
    client.force_login(make_member(org_a, Role.VIEWER))
    with in_tenant(org_a):
        voucher = VoucherFactory(organization=org_a, package=package_a)
    assert client.get("/api/v1/vouchers/").status_code == 200
    assert (
        client.post(
            "/api/v1/vouchers/redeem/",
            {"code": voucher.code, "router": router_a.pk},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/vouchers/{voucher.pk}/revoke/").status_code == 403
    with in_tenant(org_a):
        assert Voucher.objects.get(pk=voucher.pk).status == "unused"
    assert router_a.sim.hotspot_users == []


def test_another_tenants_voucher_and_router_are_404(
    client_a, org_b, package_b, sim_router, in_tenant
):
    router_b = sim_router(org_b, name="Bravo")
    with in_tenant(org_b):
        voucher = VoucherFactory(organization=org_b, package=package_b)
    assert client_a.get(f"/api/v1/vouchers/{voucher.pk}/").status_code == 404
    assert client_a.post(f"/api/v1/vouchers/{voucher.pk}/revoke/").status_code == 404
    response = client_a.post(
        "/api/v1/vouchers/redeem/",
        {"code": voucher.code, "router": router_b.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    with in_tenant(org_b):
        assert Voucher.objects.get(pk=voucher.pk).status == "unused"
    assert router_b.sim.hotspot_users == []


def test_revoke_through_the_api(client_a, org_a, package_a, in_tenant):
    with in_tenant(org_a):
        voucher = VoucherFactory(organization=org_a, package=package_a)
    response = client_a.post(f"/api/v1/vouchers/{voucher.pk}/revoke/")
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    again = client_a.post(f"/api/v1/vouchers/{voucher.pk}/revoke/")
    assert again.status_code == 400 and "already revoked" in again.json()["error"]["message"]

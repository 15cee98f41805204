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


# ------------------------------------------------------------------ voucher batches
def _token_client(org, user, scopes):
    from django.test import Client

    from tests.integrations.factories import make_token

    _token, plaintext = make_token(org, user, scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_batch_create_is_accepted_and_generated_by_the_worker(org_a, owner_a, package_a, in_tenant):
    api = _token_client(org_a, owner_a, ["vouchers:write"])
    response = api.post(
        "/api/v1/voucher-batches/",
        {"package": package_a.pk, "quantity": 12, "prefix": "net", "pin_length": 4},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["quantity"] == 12 and body["prefix"] == "NET"
    assert response["Location"] == body["status_url"]
    assert body["status_url"].endswith(f"/api/v1/voucher-batches/{body['id']}/status/")
    # the worker ran after the commit (eager Celery in tests): poll the status URL
    progress = api.get(body["status_url"]).json()
    assert progress == {
        "id": body["id"],
        "status": "ready",
        "quantity": 12,
        "generated_count": 12,
        "percent": 100,
        "finished": True,
        "message": progress["message"],
    }
    detail = api.get(f"/api/v1/voucher-batches/{body['id']}/").json()
    assert detail["counts"]["unused"] == 12
    with in_tenant(org_a):
        codes = list(Voucher.objects.filter(batch_id=body["id"]).values_list("code", flat=True))
    assert len(codes) == 12 and all(code.startswith("NET-") for code in codes)
    listed = api.get("/api/v1/voucher-batches/", {"package": package_a.pk}).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 5, "pin_length": 3}, "pin_length"),
        ({"quantity": 5, "qr_url_template": "ftp://x/{code}"}, "qr_url_template"),
        ({"quantity": 5, "package": 999_999}, "package"),
        ({"quantity": 5, "inactive": True}, "package"),
        ({"quantity": 5, "foreign": True}, "package"),
    ],
)
def test_invalid_batch_changes_nothing(
    org_a, owner_a, org_b, package_a, package_b, in_tenant, payload, field
):
    from vouchers.models import VoucherBatch

    api = _token_client(org_a, owner_a, ["vouchers:write"])
    payload = {"package": package_a.pk, **payload}
    if payload.pop("inactive", False):
        with in_tenant(org_a):
            package_a.is_active = False
            package_a.save(update_fields=["is_active"])
    if payload.pop("foreign", False):
        payload["package"] = package_b.pk
    response = api.post("/api/v1/voucher-batches/", payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    with in_tenant(org_a):
        assert not VoucherBatch.objects.exists() and not Voucher.objects.exists()
    with in_tenant(org_b):
        assert not VoucherBatch.objects.exists()


def test_batch_scopes_and_foreign_ids(org_a, owner_a, package_a, package_b, org_b, in_tenant):
    from tests.vouchers.factories import VoucherBatchFactory
    from vouchers.models import VoucherBatch

    reader = _token_client(org_a, owner_a, ["vouchers:read"])
    assert reader.get("/api/v1/voucher-batches/").status_code == 200
    refused = reader.post(
        "/api/v1/voucher-batches/",
        {"package": package_a.pk, "quantity": 5},
        content_type="application/json",
    )
    assert refused.status_code == 403
    outsider = _token_client(org_a, owner_a, ["customers:write"])
    assert outsider.get("/api/v1/voucher-batches/").status_code == 403
    with in_tenant(org_b):
        foreign = VoucherBatchFactory(organization=org_b, package=package_b)
    for url in (
        f"/api/v1/voucher-batches/{foreign.pk}/",
        f"/api/v1/voucher-batches/{foreign.pk}/status/",
    ):
        assert reader.get(url).status_code == 404
    with in_tenant(org_a):
        assert not VoucherBatch.objects.exists()


def test_batch_list_queries_do_not_grow_with_rows(org_a, owner_a, package_a, in_tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from nettportal.jobs import job_create
    from tests.vouchers.factories import VoucherBatchFactory

    api = _token_client(org_a, owner_a, ["vouchers:read"])

    def add(count):
        with in_tenant(org_a):
            for _ in range(count):
                job = job_create(organization=org_a, kind="voucher_batch", title="b", total=1)
                VoucherBatchFactory(organization=org_a, package=package_a, job=job)

    def queries():
        api.get("/api/v1/voucher-batches/")
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/voucher-batches/").status_code == 200
        return len(captured.captured_queries)

    add(5)
    few = queries()
    add(20)
    assert queries() == few

"""The customers API: list/filter/paginate, create and update through the
services (same rules as the forms), suspend/reactivate, usage, scopes,
another tenant's ids, the access log and constant query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from accounts.tenancy import tenant
from customers.models import Customer, CustomerEvent
from privacy.models import AccessLog
from tests.customers.factories import (
    CustomerFactory,
    PppoeAccountFactory,
    TagFactory,
    UsageDailyFactory,
    UsageSessionFactory,
)
from tests.integrations.factories import make_token
from tests.routers.factories import RouterFactory

pytestmark = pytest.mark.django_db


def token_client(org, user, scopes) -> Client:
    _token, plaintext = make_token(org, user, scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


@pytest.fixture
def api_a(org_a, owner_a):
    return token_client(org_a, owner_a, ["customers:write"])


def _names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def _api_log(org, action=AccessLog.Action.VIEW):
    with tenant(org):
        return list(AccessLog.objects.filter(via=AccessLog.Via.API, action=action).order_by("id"))


def test_list_filters_search_and_ordering(api_a, org_a):
    with tenant(org_a):
        vip = TagFactory(organization=org_a, name="vip")
        router = RouterFactory(organization=org_a, name="Tower")
        CustomerFactory(organization=org_a, name="Ama Mensah", phone="+233244123456", tags=[vip])
        CustomerFactory(organization=org_a, name="Kofi Boateng", status="suspended")
        pppoe = CustomerFactory(organization=org_a, name="Esi Home", customer_type="pppoe")
        PppoeAccountFactory(organization=org_a, customer=pppoe, router=router, profile="home-10M")
    url = "/api/v1/customers/"
    assert _names(api_a.get(url)) == ["Ama Mensah", "Esi Home", "Kofi Boateng"]
    assert _names(api_a.get(url, {"status": "suspended"})) == ["Kofi Boateng"]
    assert _names(api_a.get(url, {"type": "pppoe"})) == ["Esi Home"]
    assert _names(api_a.get(url, {"tag": vip.pk})) == ["Ama Mensah"]
    assert _names(api_a.get(url, {"router": router.pk})) == ["Esi Home"]
    assert _names(api_a.get(url, {"package": "home-10M"})) == ["Esi Home"]
    assert _names(api_a.get(url, {"package": "other"})) == []
    # a phone typed the national way finds the stored E.164 number
    assert _names(api_a.get(url, {"q": "024 412 3456"})) == ["Ama Mensah"]
    assert _names(api_a.get(url, {"q": "kofi"})) == ["Kofi Boateng"]
    ordered = api_a.get(url, {"ordering": "name"}).json()["results"]
    assert [row["name"] for row in ordered] == ["Ama Mensah", "Esi Home", "Kofi Boateng"]
    first = ordered[0]
    assert first["phone"] == "+233244123456" and first["tags"] == ["vip"]
    esi = next(row for row in ordered if row["name"] == "Esi Home")
    assert esi["pppoe_accounts"][0]["profile"] == "home-10M"
    assert "password" not in esi["pppoe_accounts"][0]
    bad = api_a.get(url, {"status": "sleeping"})
    assert bad.status_code == 400
    assert "status" in bad.json()["error"]["fields"]


def test_cursor_pagination_walks_every_row_once(api_a, org_a):
    with tenant(org_a):
        for _ in range(7):
            CustomerFactory(organization=org_a)
    seen, url = [], "/api/v1/customers/?page_size=3"
    while url:
        body = api_a.get(url).json()
        assert len(body["results"]) <= 3
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 7


def test_list_and_detail_are_written_to_the_access_log(api_a, org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
    api_a.get("/api/v1/customers/")
    api_a.get(f"/api/v1/customers/{customer.pk}/")
    entries = _api_log(org_a)
    assert [entry.detail.get("ids") for entry in entries if entry.detail.get("list")] == [
        [customer.pk]
    ]
    assert any(entry.target_id == str(customer.pk) for entry in entries)
    assert all(customer.phone not in str(entry.detail) for entry in entries)


def test_create_reads_phones_like_the_form(api_a, org_a):
    response = api_a.post(
        "/api/v1/customers/",
        {
            "name": "  Yaw   Asante ",
            "phone": "024 412 3456",
            "email": "Yaw@Example.test",
            "tags": ["estate-7", "VIP"],
            "marketing_consent": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Yaw Asante"
    assert body["phone"] == "+233244123456"
    assert body["email"] == "yaw@example.test"
    assert sorted(body["tags"]) == ["VIP", "estate-7"]
    assert body["source"] == "api" and body["marketing_consent_at"]
    with tenant(org_a):
        customer = Customer.objects.get(pk=body["id"])
        assert customer.events.filter(kind=CustomerEvent.Kind.CREATED).exists()
    assert [entry.target_id for entry in _api_log(org_a, AccessLog.Action.CREATE)] == [
        str(customer.pk)
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Bad Phone", "phone": "12345"}, "phone"),
        ({"name": "Taken", "phone": "+233244123456"}, "phone"),
        ({"name": "Bad Mail", "email": "not-an-email"}, "email"),
        ({"name": "   "}, "name"),
        ({"phone": "+233244000001"}, "name"),
        ({"name": "Bad Type", "customer_type": "dialup"}, "customer_type"),
        ({"name": "Bad Tag", "tags": ["a,b"]}, "tags"),
    ],
)
def test_invalid_create_changes_nothing(api_a, org_a, payload, field):
    with tenant(org_a):
        CustomerFactory(organization=org_a, name="Existing", phone="+233244123456")
    response = api_a.post("/api/v1/customers/", payload, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    with tenant(org_a):
        assert list(Customer.objects.values_list("name", flat=True)) == ["Existing"]
    assert _api_log(org_a, AccessLog.Action.CREATE) == []


def test_patch_changes_only_what_was_sent(api_a, org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, name="Ama", email="ama@example.test")
    response = api_a.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"phone": "020 123 4567", "tags": ["vip"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone"] == "+233201234567" and body["tags"] == ["vip"]
    assert body["name"] == "Ama" and body["email"] == "ama@example.test"
    (entry,) = _api_log(org_a, AccessLog.Action.CHANGE)
    assert entry.detail == {"fields": ["phone", "tags"]}


def test_invalid_patch_changes_nothing(api_a, org_a):
    with tenant(org_a):
        CustomerFactory(organization=org_a, phone="+233244123456")
        customer = CustomerFactory(organization=org_a, name="Ama", phone="+233201234567")
        before = Customer.objects.values().get(pk=customer.pk)
    for payload, field in [
        ({"name": "Renamed", "phone": "+233244123456"}, "phone"),  # another customer's
        ({"name": "Renamed", "email": "nope"}, "email"),
        ({"name": ""}, "name"),
    ]:
        response = api_a.patch(
            f"/api/v1/customers/{customer.pk}/", payload, content_type="application/json"
        )
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
    with tenant(org_a):
        assert Customer.objects.values().get(pk=customer.pk) == before
        assert not customer.events.filter(kind=CustomerEvent.Kind.UPDATED).exists()
    assert api_a.put(f"/api/v1/customers/{customer.pk}/", {}).status_code == 405


def test_suspend_and_reactivate(api_a, org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
    response = api_a.post(f"/api/v1/customers/{customer.pk}/suspend/")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    again = api_a.post(f"/api/v1/customers/{customer.pk}/suspend/")
    assert again.status_code == 200 and again.json()["status"] == "suspended"
    with tenant(org_a):
        assert customer.events.filter(kind=CustomerEvent.Kind.SUSPENDED).count() == 1
    response = api_a.post(f"/api/v1/customers/{customer.pk}/reactivate/")
    assert response.json()["status"] == "active"
    assert [entry.detail for entry in _api_log(org_a, AccessLog.Action.CHANGE)] == [
        {"status": "suspended"},
        {"status": "active"},
    ]


def test_read_scope_cannot_write_and_other_areas_are_refused(org_a, owner_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, name="Ama")
    reader = token_client(org_a, owner_a, ["customers:read"])
    assert reader.get("/api/v1/customers/").status_code == 200
    created = reader.post("/api/v1/customers/", {"name": "New"}, content_type="application/json")
    assert created.status_code == 403
    assert created.json()["error"]["code"] == "permission_denied"
    assert (
        reader.patch(
            f"/api/v1/customers/{customer.pk}/", {"name": "X"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert reader.post(f"/api/v1/customers/{customer.pk}/suspend/").status_code == 403
    outsider = token_client(org_a, owner_a, ["routers:write"])
    for url in ("/api/v1/customers/", f"/api/v1/customers/{customer.pk}/", "/api/v1/usage/daily/"):
        assert outsider.get(url).status_code == 403
    with tenant(org_a):
        assert list(Customer.objects.values_list("name", "status")) == [("Ama", "active")]


def test_a_members_role_limits_the_session_api(client, org_a, make_member):
    client.force_login(make_member(org_a, Role.VIEWER))
    assert client.get("/api/v1/customers/").status_code == 200
    response = client.post("/api/v1/customers/", {"name": "X"}, content_type="application/json")
    assert response.status_code == 403


def test_session_api_reads_are_logged_as_api(client, org_a, owner_a):
    """The API signed in with the dashboard session is still the API in the log."""
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
    client.force_login(owner_a)
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    assert [entry.target_id for entry in _api_log(org_a)] == [str(customer.pk)]


def test_another_tenants_customer_is_404(api_a, org_b):
    with tenant(org_b):
        foreign = CustomerFactory(organization=org_b, name="Bravo's")
    for method, url in [
        ("get", f"/api/v1/customers/{foreign.pk}/"),
        ("patch", f"/api/v1/customers/{foreign.pk}/"),
        ("post", f"/api/v1/customers/{foreign.pk}/suspend/"),
        ("get", f"/api/v1/customers/{foreign.pk}/sessions/"),
        ("get", f"/api/v1/customers/{foreign.pk}/usage/"),
    ]:
        response = getattr(api_a, method)(url, {"name": "Hijack"}, content_type="application/json")
        assert response.status_code == 404, (method, url)
        assert response.json()["error"]["code"] == "not_found"
    assert api_a.get("/api/v1/usage/sessions/", {"customer": foreign.pk}).json()["results"] == []
    with tenant(org_b):
        assert Customer.objects.values_list("name", "status").get() == ("Bravo's", "active")


def test_usage_sessions_and_days(api_a, org_a):
    today = timezone.now().date()
    with tenant(org_a):
        router = RouterFactory(organization=org_a, name="Tower")
        ama, kofi = CustomerFactory(organization=org_a), CustomerFactory(organization=org_a)
        UsageSessionFactory(organization=org_a, customer=ama, router=router, username="ama")
        UsageSessionFactory(
            organization=org_a,
            customer=ama,
            username="old",
            started_at=timezone.now() - dt.timedelta(days=40),
        )
        UsageSessionFactory(organization=org_a, customer=kofi, username="kofi", ended_at=None)
        UsageDailyFactory(organization=org_a, customer=ama, day=today, bytes_out=5)
        UsageDailyFactory(
            organization=org_a, customer=ama, day=today - dt.timedelta(days=3), bytes_out=7
        )
        UsageDailyFactory(organization=org_a, customer=kofi, day=today)

    def usernames(url, **params):
        response = api_a.get(url, params)
        assert response.status_code == 200, response.content
        return sorted(row["username"] for row in response.json()["results"])

    assert usernames(f"/api/v1/customers/{ama.pk}/sessions/") == ["ama", "old"]
    assert usernames("/api/v1/usage/sessions/", router=router.pk) == ["ama"]
    assert usernames("/api/v1/usage/sessions/", is_open="true") == ["kofi"]
    since = (today - dt.timedelta(days=7)).isoformat()
    assert usernames("/api/v1/usage/sessions/", customer=ama.pk, started_from=since) == ["ama"]
    days = api_a.get(f"/api/v1/customers/{ama.pk}/usage/").json()["results"]
    assert [row["bytes_out"] for row in days] == [5, 7]  # newest day first
    recent = api_a.get(
        "/api/v1/usage/daily/", {"customer": ama.pk, "day_from": today.isoformat()}
    ).json()["results"]
    assert [row["bytes_out"] for row in recent] == [5]
    logged = [entry.target_type for entry in _api_log(org_a)]
    assert "customers.UsageSession" in logged and "customers.UsageDaily" in logged


def _queries(client, url) -> int:
    client.get(url)  # warm up: token "last used" stamp, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url", ["/api/v1/customers/", "/api/v1/usage/sessions/", "/api/v1/usage/daily/"]
)
def test_list_queries_do_not_grow_with_rows(api_a, org_a, url):
    def add(count):
        with tenant(org_a):
            tag = TagFactory(organization=org_a)
            router = RouterFactory(organization=org_a)
            for index in range(count):
                customer = CustomerFactory(organization=org_a, tags=[tag])
                PppoeAccountFactory(organization=org_a, customer=customer, router=router)
                UsageSessionFactory(organization=org_a, customer=customer, router=router)
                UsageDailyFactory(
                    organization=org_a,
                    customer=customer,
                    day=timezone.now().date() - dt.timedelta(days=index),
                )

    add(5)
    few = _queries(api_a, url)
    add(20)
    many = _queries(api_a, url)
    assert many == few

"""The routers API: the fleet and one router's state (never its credentials),
"test connection" through the real client against the simulator, active
sessions, scopes, another tenant's ids and constant query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.tenancy import tenant
from privacy.models import AccessLog
from routers.models import ActiveSession, Router
from tests.integrations.factories import make_token
from tests.routers.factories import ActiveSessionFactory, RouterFactory

pytestmark = pytest.mark.django_db


def token_client(org, user, scopes) -> Client:
    _token, plaintext = make_token(org, user, scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


@pytest.fixture
def api_a(org_a, owner_a):
    return token_client(org_a, owner_a, ["routers:write"])


def test_list_and_detail_show_state_but_never_credentials(api_a, org_a):
    with tenant(org_a):
        online = RouterFactory(
            organization=org_a,
            name="Tower",
            status=Router.Status.ONLINE,
            hotspot_sessions_count=4,
            ppp_sessions_count=2,
            total_memory=1000,
            free_memory=250,
        )
        RouterFactory(organization=org_a, name="Shop", status=Router.Status.OFFLINE, site="Tema")
    body = api_a.get("/api/v1/routers/").json()
    assert [row["name"] for row in body["results"]] == ["Shop", "Tower"]
    assert [r["name"] for r in api_a.get("/api/v1/routers/?status=online").json()["results"]] == [
        "Tower"
    ]
    assert [r["name"] for r in api_a.get("/api/v1/routers/?q=tem").json()["results"]] == ["Shop"]
    detail = api_a.get(f"/api/v1/routers/{online.pk}/")
    assert detail.status_code == 200
    row = detail.json()
    assert row["status"] == "online" and row["users_online"] == 6
    assert row["memory_used_percent"] == 75
    assert "password" not in row and "username" not in row
    assert online.password not in detail.content.decode()


def test_test_connection_polls_the_router_and_stores_its_sessions(api_a, org_a, sim_router):
    router = sim_router(org_a, identity="Api-1", active_sessions=2)
    response = api_a.post(f"/api/v1/routers/{router.pk}/test-connection/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["status"] == "online"
    assert body["router"]["identity"] == "Api-1"
    assert body["router"]["hotspot_sessions_count"] == 2
    sessions = api_a.get(f"/api/v1/routers/{router.pk}/sessions/").json()["results"]
    assert len(sessions) == 2 and all(row["kind"] == "hotspot" for row in sessions)
    assert "router_item_id" not in sessions[0]
    with tenant(org_a):
        (entry,) = AccessLog.objects.filter(
            via=AccessLog.Via.API, target_type="routers.ActiveSession"
        )
    assert entry.target_id == f"router:{router.pk}" and entry.detail == {"sessions": 2}


def test_test_connection_reports_a_refused_login(api_a, org_a, sim_router):
    router = sim_router(org_a, reject_logins=True)
    body = api_a.post(f"/api/v1/routers/{router.pk}/test-connection/").json()
    assert body["ok"] is False and body["status"] == "auth_failed"
    assert "refused the login" in body["message"]


def test_read_scope_cannot_test_and_other_areas_are_refused(org_a, owner_a, sim_router):
    router = sim_router(org_a)
    reader = token_client(org_a, owner_a, ["routers:read"])
    assert reader.get(f"/api/v1/routers/{router.pk}/").status_code == 200
    assert reader.post(f"/api/v1/routers/{router.pk}/test-connection/").status_code == 403
    with tenant(org_a):
        assert Router.objects.get(pk=router.pk).status == Router.Status.UNKNOWN
    outsider = token_client(org_a, owner_a, ["customers:write"])
    assert outsider.get("/api/v1/routers/").status_code == 403
    assert outsider.get(f"/api/v1/routers/{router.pk}/sessions/").status_code == 403


def test_another_tenants_router_is_404(api_a, org_b, sim_router):
    foreign = sim_router(org_b, name="Bravo")
    for method, url in [
        ("get", f"/api/v1/routers/{foreign.pk}/"),
        ("get", f"/api/v1/routers/{foreign.pk}/sessions/"),
        ("post", f"/api/v1/routers/{foreign.pk}/test-connection/"),
    ]:
        assert getattr(api_a, method)(url).status_code == 404, url
    with tenant(org_b):
        assert Router.objects.get(pk=foreign.pk).status == Router.Status.UNKNOWN


def _queries(client, url) -> int:
    client.get(url)  # warm up: token "last used" stamp, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_list_queries_do_not_grow_with_rows(api_a, org_a):
    with tenant(org_a):
        router = RouterFactory(organization=org_a)

    def add(count):
        with tenant(org_a):
            for _ in range(count):
                RouterFactory(organization=org_a)
                ActiveSessionFactory(organization=org_a, router=router)

    add(5)
    few = [
        _queries(api_a, "/api/v1/routers/"),
        _queries(api_a, f"/api/v1/routers/{router.pk}/sessions/"),
    ]
    add(20)
    many = [
        _queries(api_a, "/api/v1/routers/"),
        _queries(api_a, f"/api/v1/routers/{router.pk}/sessions/"),
    ]
    assert many == few
    with tenant(org_a):
        assert ActiveSession.objects.count() == 25

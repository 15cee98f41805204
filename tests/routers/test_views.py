"""Router pages: list, detail, add/edit/delete, test connection, disconnect."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tenancy import tenant
from privacy.models import AccessLog
from routers.models import ActiveSession, Router, RouterEvent
from routers.polling import poll_routers
from tests.routers.factories import ActiveSessionFactory, RouterEventFactory, RouterFactory
from tests.routers.sim import SIM_PASSWORD, SIM_USERNAME

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "Osu Café",
        "site": "Accra",
        "host": "127.0.0.1",
        "api_port": "8728",
        "username": SIM_USERNAME,
        "password": SIM_PASSWORD,
        "notes": "",
        "is_enabled": "on",
        "action": "save",
    }
    data.update(overrides)
    return data


def routers_of(org):
    with tenant(org):
        return list(Router.objects.order_by("pk"))


def member_client(client, make_member, org, role):
    client.force_login(make_member(org, role))
    return client


# ------------------------------------------------------------------ list
def test_list_shows_only_this_orgs_routers_with_counts(client_a, org_a, org_b):
    RouterFactory(
        organization=org_a,
        name="Alpha One",
        status=Router.Status.ONLINE,
        hotspot_sessions_count=7,
        ppp_sessions_count=2,
    )
    RouterFactory(
        organization=org_a,
        name="Alpha Two",
        status=Router.Status.OFFLINE,
        last_error="refused the connection",
        hotspot_sessions_count=3,
    )
    RouterFactory(organization=org_b, name="Bravo Secret")

    response = client_a.get("/routers/")

    body = response.content.decode()
    assert "Alpha One" in body
    assert "Alpha Two" in body
    assert "refused the connection" in body
    assert "Bravo Secret" not in body
    summary = response.context["summary"]
    assert (summary["online"], summary["offline"], summary["users_online"]) == (1, 1, 9)


def test_list_filters_by_status_site_and_search(client_a, org_a):
    RouterFactory(organization=org_a, name="Kumasi Hub", site="Kumasi", status="online")
    RouterFactory(organization=org_a, name="Accra Hub", site="Accra", status="offline")
    RouterFactory(organization=org_a, name="Accra Café", site="Accra", status="online")

    def names(query):
        page = client_a.get("/routers/", query).context["page_obj"]
        return [router.name for router in page.object_list]

    assert names({"status": "online"}) == ["Accra Café", "Kumasi Hub"]
    assert names({"site": "Accra"}) == ["Accra Café", "Accra Hub"]
    assert names({"site": "Accra", "status": "online"}) == ["Accra Café"]
    assert names({"q": "kumasi"}) == ["Kumasi Hub"]
    assert names({"status": "bogus"}) == ["Accra Café", "Accra Hub", "Kumasi Hub"]
    assert "No routers match" in client_a.get("/routers/", {"q": "nothing"}).content.decode()


def test_htmx_refresh_returns_only_the_table(client_a, org_a):
    RouterFactory(organization=org_a, name="Live One")
    response = client_a.get("/routers/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="router-table")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="router-table"')
    assert "Live One" in body
    assert "<html" not in body


def test_empty_state_points_to_the_setup_guide(client_a):
    body = client_a.get("/routers/").content.decode()
    assert "No routers yet" in body
    assert reverse("routers:setup_guide") in body


def test_list_query_count_does_not_grow_with_routers(
    client_a, org_a, django_assert_max_num_queries
):
    for _ in range(3):
        RouterFactory(organization=org_a, site="Accra")
    with django_assert_max_num_queries(30) as few:
        client_a.get("/routers/")
    for _ in range(30):
        RouterFactory(organization=org_a, site="Kumasi")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client_a.get("/routers/")


def test_list_paginates(client_a, org_a):
    for number in range(55):
        RouterFactory(organization=org_a, name=f"R{number:02d}")
    first = client_a.get("/routers/").context["page_obj"]
    second = client_a.get("/routers/", {"page": 2}).context["page_obj"]
    assert len(first.object_list) == 50
    assert [r.name for r in second.object_list] == ["R50", "R51", "R52", "R53", "R54"]


# ---------------------------------------------------------------- detail
def test_detail_shows_status_sessions_charts_and_events(client_a, org_a, sim_router):
    router = sim_router(org_a, identity="Detail-1", active_sessions=3, ppp_sessions=1)
    poll_routers([router.pk])
    router.sim.advance(60)
    poll_routers([router.pk], force=True)

    response = client_a.get(f"/routers/{router.pk}/")

    body = response.content.decode()
    assert "Detail-1" in body
    for session in router.sim.hotspot_active:
        assert session["user"] in body
        assert session["mac-address"] in body
    assert body.count('<figure class="chart chart-line card"') == 3
    assert '<circle class="chart-dot"' in body  # both polls fall in one bucket: a lone reading
    assert "Came online" in body
    assert "ether1" in body
    with tenant(org_a):
        log = AccessLog.objects.get(target_type="routers.ActiveSession")
    assert log.target_id == f"router:{router.pk}"
    assert log.action == AccessLog.Action.VIEW


def test_detail_query_count_is_bounded(client_a, org_a, django_assert_max_num_queries):
    router = RouterFactory(organization=org_a, status=Router.Status.ONLINE)
    ActiveSessionFactory(organization=org_a, router=router)
    with django_assert_max_num_queries(35) as few:
        client_a.get(f"/routers/{router.pk}/")
    for _ in range(40):
        ActiveSessionFactory(organization=org_a, router=router)
    for _ in range(15):
        RouterEventFactory(organization=org_a, router=router)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client_a.get(f"/routers/{router.pk}/")
    assert response.status_code == 200


def test_another_orgs_router_is_404(client_a, org_b):
    other = RouterFactory(organization=org_b)
    assert client_a.get(f"/routers/{other.pk}/").status_code == 404
    assert client_a.get(f"/routers/{other.pk}/edit/").status_code == 404


def test_sessions_search_and_charts_range(client_a, org_a):
    router = RouterFactory(organization=org_a, status=Router.Status.ONLINE)
    ActiveSessionFactory(organization=org_a, router=router, username="ama", address="10.5.50.9")
    ActiveSessionFactory(organization=org_a, router=router, username="kofi")
    response = client_a.get(f"/routers/{router.pk}/sessions/", {"q": "10.5.50.9"})
    assert [s.username for s in response.context["page_obj"].object_list] == ["ama"]
    charts = client_a.get(f"/routers/{router.pk}/charts/", {"range": "7d"})
    assert charts.context["range"] == "7d"
    assert "Last 7 days" in charts.content.decode()


# ------------------------------------------------------------------- add
def test_add_router_saves_and_polls_it(client_a, org_a, sim_router, on_commit):
    sim = sim_router(identity="Added-1", active_sessions=2)
    with on_commit():
        response = client_a.post("/routers/add/", form_data(api_port=str(sim.port)))

    (router,) = routers_of(org_a)
    assert response.status_code == 302
    assert response["Location"] == f"/routers/{router.pk}/"
    assert router.status == Router.Status.ONLINE
    assert router.identity == "Added-1"
    assert router.password == SIM_PASSWORD
    with tenant(org_a):
        assert ActiveSession.objects.filter(router=router).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"host": "http://10.0.0.1/"}, "host", "without http://"),
        ({"host": "10.0.0.1:8728"}, "host", "API port field"),
        ({"host": "not a host!"}, "host", "valid host name"),
        ({"api_port": "70000"}, "api_port", "less than or equal to 65535"),
        ({"password": ""}, "password", "required"),
        ({"name": "   "}, "name", "required"),
        ({"verify_tls": "on"}, "verify_tls", "needs TLS"),
    ],
)
def test_add_router_validation(client_a, org_a, overrides, field, message):
    response = client_a.post("/routers/add/", form_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert routers_of(org_a) == []


def test_add_router_duplicate_name_or_address_is_refused(client_a, org_a, org_b):
    RouterFactory(organization=org_a, name="Osu Café", host="10.9.9.9")
    RouterFactory(organization=org_b, name="Elsewhere", host="127.0.0.1", api_port=8728)
    duplicate = client_a.post("/routers/add/", form_data(host="10.1.1.1"))
    assert "already have a router with this name" in duplicate.content.decode()
    same_address = client_a.post("/routers/add/", form_data(name="New", host="10.9.9.9"))
    assert "at this address and port" in same_address.content.decode()
    assert len(routers_of(org_a)) == 1
    # Another organisation may use the same address (its own network).
    ok = client_a.post("/routers/add/", form_data(name="Mine"))
    assert ok.status_code == 302


def test_test_connection_before_saving_reports_identity_without_saving(client_a, org_a, sim_router):
    sim = sim_router(identity="Probe-1", version="7.16")
    response = client_a.post("/routers/add/", form_data(api_port=str(sim.port), action="test"))
    body = response.content.decode()
    assert "Connected to Probe-1 (RouterOS 7.16 (stable)" in body
    assert routers_of(org_a) == []
    assert SIM_PASSWORD not in body  # the password is not sent back


@pytest.mark.parametrize(
    ("knob", "expected"),
    [
        ({"reject_logins": True}, "refused the login"),
        ({"black_hole": True}, "did not answer the login"),
    ],
)
def test_test_connection_fragment_shows_specific_errors(
    client_a, sim_router, fast_timeouts, knob, expected
):
    sim = sim_router(**knob)
    response = client_a.post(
        "/routers/add/test/", form_data(api_port=str(sim.port)), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Connection failed." in body
    assert expected in body


def test_test_connection_to_nothing_is_unreachable(client_a, sim_router, sim_fleet):
    sim = sim_router()
    sim_fleet.take_down(sim)
    body = client_a.post("/routers/add/test/", form_data(api_port=str(sim.port))).content.decode()
    assert "refused the connection" in body


# ------------------------------------------------------------------ edit
def test_edit_keeps_the_password_when_left_empty(client_a, org_a, sim_router):
    router = sim_router(org_a, name="Before")
    response = client_a.post(
        f"/routers/{router.pk}/edit/",
        form_data(name="After", api_port=str(router.api_port), password=""),
    )
    assert response.status_code == 302
    (stored,) = routers_of(org_a)
    assert stored.name == "After"
    assert stored.password == SIM_PASSWORD


def test_edit_test_uses_the_stored_password(client_a, org_a, sim_router):
    router = sim_router(org_a, identity="Stored-PW")
    response = client_a.post(
        f"/routers/{router.pk}/edit/test/",
        form_data(api_port=str(router.api_port), password=""),
        HTTP_HX_REQUEST="true",
    )
    assert "Connected to Stored-PW" in response.content.decode()


def test_changing_the_address_repolls(client_a, org_a, sim_router, on_commit):
    first = sim_router(org_a, identity="First")
    second = sim_router(identity="Second")
    with on_commit():
        client_a.post(
            f"/routers/{first.pk}/edit/",
            form_data(name=first.name, api_port=str(second.port), password=""),
        )
    (stored,) = routers_of(org_a)
    assert stored.api_port == second.port
    assert stored.identity == "Second"


# --------------------------------------------------------- test & delete
def test_test_connection_button_polls_and_reports(client_a, org_a, sim_router):
    router = sim_router(org_a, identity="Button-1", active_sessions=1)
    response = client_a.post(f"/routers/{router.pk}/test/", follow=True)
    body = response.content.decode()
    assert "Connected: Button-1 · RouterOS 7.14.3 (stable) · 1 user(s) online." in body
    assert routers_of(org_a)[0].status == Router.Status.ONLINE


def test_test_connection_button_reports_failure(client_a, org_a, sim_router):
    router = sim_router(org_a, reject_logins=True)
    body = client_a.post(f"/routers/{router.pk}/test/", follow=True).content.decode()
    assert "refused the login" in body
    assert routers_of(org_a)[0].status == Router.Status.AUTH_FAILED


def test_delete_asks_then_deletes(client_a, org_a):
    router = RouterFactory(organization=org_a, name="Gone Soon")
    ActiveSessionFactory(organization=org_a, router=router)
    confirm = client_a.get(f"/routers/{router.pk}/delete/")
    assert "Delete “Gone Soon”?" in confirm.content.decode()
    assert len(routers_of(org_a)) == 1
    response = client_a.post(f"/routers/{router.pk}/delete/")
    assert response.status_code == 302
    assert routers_of(org_a) == []
    with tenant(org_a):
        assert ActiveSession.objects.count() == 0


# ------------------------------------------------------------ disconnect
def test_disconnect_removes_the_session_on_the_router(client_a, org_a, sim_router):
    router = sim_router(org_a, active_sessions=3)
    poll_routers([router.pk])
    with tenant(org_a):
        session = ActiveSession.objects.filter(router=router).order_by("username").first()

    confirm = client_a.get(f"/routers/{router.pk}/sessions/{session.pk}/disconnect/")
    assert f"Disconnect {session.username}" in confirm.content.decode()
    assert len(router.sim.hotspot_active) == 3

    response = client_a.post(f"/routers/{router.pk}/sessions/{session.pk}/disconnect/", follow=True)

    assert f"{session.username} was disconnected." in response.content.decode()
    assert session.username not in [s["user"] for s in router.sim.hotspot_active]
    with tenant(org_a):
        assert not ActiveSession.objects.filter(pk=session.pk).exists()
        assert Router.objects.get(pk=router.pk).hotspot_sessions_count == 2
        assert RouterEvent.objects.filter(kind=RouterEvent.Kind.SESSION_DISCONNECTED).exists()
        log = AccessLog.objects.get(action=AccessLog.Action.CHANGE)
    assert log.target_id == str(session.pk)


def test_disconnect_a_session_that_already_ended(client_a, org_a, sim_router):
    router = sim_router(org_a, active_sessions=1)
    poll_routers([router.pk])
    with tenant(org_a):
        session = ActiveSession.objects.get(router=router)
    router.sim.execute("/ip/hotspot/active/remove", {".id": session.router_item_id}, [])

    response = client_a.post(f"/routers/{router.pk}/sessions/{session.pk}/disconnect/", follow=True)

    assert "had already ended" in response.content.decode()
    with tenant(org_a):
        assert not ActiveSession.objects.filter(pk=session.pk).exists()


def test_disconnect_when_the_router_is_unreachable_changes_nothing(
    client_a, org_a, sim_router, sim_fleet
):
    router = sim_router(org_a, active_sessions=1)
    poll_routers([router.pk])
    with tenant(org_a):
        session = ActiveSession.objects.get(router=router)
    sim_fleet.take_down(router.sim)

    response = client_a.post(f"/routers/{router.pk}/sessions/{session.pk}/disconnect/", follow=True)

    assert "refused the connection" in response.content.decode()
    with tenant(org_a):
        assert ActiveSession.objects.filter(pk=session.pk).exists()
        assert not RouterEvent.objects.filter(kind=RouterEvent.Kind.SESSION_DISCONNECTED).exists()


def test_disconnect_a_session_of_another_router_is_404(client_a, org_a):
    router = RouterFactory(organization=org_a)
    other = RouterFactory(organization=org_a)
    session = ActiveSessionFactory(organization=org_a, router=other)
    url = f"/routers/{router.pk}/sessions/{session.pk}/disconnect/"
    assert client_a.post(url).status_code == 404


# ----------------------------------------------------------- permissions
@pytest.mark.parametrize("role", [Role.VIEWER, Role.SUPPORT])
def test_read_only_roles_cannot_change_routers(client, make_member, org_a, role):
    router = RouterFactory(organization=org_a, name="Untouched")
    session = ActiveSessionFactory(organization=org_a, router=router)
    member_client(client, make_member, org_a, role)

    assert client.get(f"/routers/{router.pk}/").status_code == 200
    attempts = [
        ("/routers/add/", form_data(name="Sneaky")),
        (f"/routers/{router.pk}/edit/", form_data(name="Renamed")),
        (f"/routers/{router.pk}/delete/", {}),
        (f"/routers/{router.pk}/test/", {}),
        (f"/routers/{router.pk}/sessions/{session.pk}/disconnect/", {}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 403, url

    (stored,) = routers_of(org_a)
    assert stored.name == "Untouched"
    assert stored.status == Router.Status.UNKNOWN
    with tenant(org_a):
        assert ActiveSession.objects.filter(pk=session.pk).exists()
    body = client.get(f"/routers/{router.pk}/").content.decode()
    assert "Disconnect" not in body
    assert f"/routers/{router.pk}/edit/" not in body


def test_technicians_may_manage_routers(client, make_member, org_a, sim_router, on_commit):
    sim = sim_router()
    member_client(client, make_member, org_a, Role.TECHNICIAN)
    with on_commit():
        response = client.post("/routers/add/", form_data(api_port=str(sim.port)))
    assert response.status_code == 302
    assert routers_of(org_a)[0].status == Router.Status.ONLINE


# ------------------------------------------------------------ other pages
def test_setup_guide_gives_routeros_commands(client_a):
    body = client_a.get("/routers/setup-guide/").content.decode()
    assert "/user group add name=nettportal policy=read,write,api" in body
    assert "/ip service set api-ssl certificate=" in body
    assert "!sensitive" in body


def test_events_page_lists_this_orgs_events(client_a, org_a, org_b):
    RouterEventFactory(organization=org_a, message="Ours went down")
    RouterEventFactory(organization=org_b, message="Theirs went down")
    RouterEventFactory(organization=org_a, kind=RouterEvent.Kind.ONLINE, message="Ours is back")
    body = client_a.get("/routers/events/").content.decode()
    assert "Ours went down" in body
    assert "Theirs went down" not in body
    filtered = client_a.get("/routers/events/", {"kind": "online"}).content.decode()
    assert "Ours is back" in filtered
    assert "Ours went down" not in filtered


def test_dashboard_widget_shows_the_fleet(client_a, org_a, org_b):
    RouterFactory(
        organization=org_a,
        status=Router.Status.ONLINE,
        hotspot_sessions_count=12,
        ppp_sessions_count=3,
    )
    RouterFactory(organization=org_a, status=Router.Status.OFFLINE, hotspot_sessions_count=0)
    RouterFactory(organization=org_b, status=Router.Status.ONLINE, hotspot_sessions_count=99)
    body = client_a.get("/dashboard/").content.decode()
    assert "of 2 routers online" in body
    assert "1 router needs attention" in body
    assert 'data-testid="widget-users-online">15<' in body

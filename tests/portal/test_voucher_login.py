import re
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from portal import services
from portal.handoff import chap_response
from portal.pagecache import page_config_clear
from tests.portal.conftest import DEVICE_IP, DEVICE_MAC, handoff_params
from tests.portal.factories import LandingPageFactory, standard_blocks
from tests.portal.fake_hotspot import FakeHotspot
from tests.vouchers.factories import PackageFactory, VoucherFactory
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def handoff_token(client, params=None):
    body = client.get("/p/kofi-cafe/", params or handoff_params()).content.decode()
    return re.search(r'name="h" value="([^"]+)"', body).group(1)


def type_code(client, code, params=None):
    return client.post("/p/kofi-cafe/login/", {"h": handoff_token(client, params), "code": code})


def voucher_status(org, in_tenant, voucher):
    with in_tenant(org):
        return Voucher.objects.get(pk=voucher.pk).status


def test_code_logs_the_device_in_through_the_router_api(
    client, hotspot, make_voucher, org_a, in_tenant
):
    # given a printed voucher and a phone sent to the page by the router
    voucher = make_voucher()

    # when the customer types it in small letters without dashes
    response = type_code(client, "net7k4mq9rt")

    # then the device is online on the router, and the page says so
    assert response.status_code == 303
    sessions = hotspot["router"].sim.hotspot_active
    assert [(s["user"], s["address"], s["mac-address"]) for s in sessions] == [
        ("NET-7K4M-Q9RT", DEVICE_IP, DEVICE_MAC)
    ]
    assert voucher_status(org_a, in_tenant, voucher) == Voucher.Status.ACTIVE
    connected = client.get(response["Location"]).content.decode()
    assert "You are connected" in connected
    assert "NET-7K4M-Q9RT" in connected
    assert 'href="http://example.com/"' in connected


def test_handoff_mode_sends_the_device_back_with_a_chap_answer(
    client, hotspot, make_voucher, org_a, in_tenant
):
    # given a page set to hand logins back to the router, and a voucher with a PIN
    with in_tenant(org_a):
        services.landing_page_update(page=hotspot["page"], actor=None, login_method="handoff")
    page_config_clear()
    make_voucher(pin="4821")

    # when the code is typed
    response = type_code(client, "NET-7K4M-Q9RT")

    # then the device goes to the router's login with the CHAP answer, never the PIN
    assert response.status_code == 303
    target = urlsplit(response["Location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}" == "http://10.5.50.1/login"
    assert query["username"] == "NET-7K4M-Q9RT"
    assert query["password"] == chap_response("\\375", "4821", "\\061\\222\\036\\377")
    assert query["dst"] == "http://example.com/"
    assert "4821" not in response["Location"]
    # and the user exists on the router, ready for that login
    assert hotspot["router"].sim.hotspot_user("NET-7K4M-Q9RT")["password"] == "4821"
    assert hotspot["router"].sim.hotspot_active == []


def test_handoff_answer_is_accepted_by_the_routers_login_page(
    client, hotspot, make_voucher, org_a, in_tenant
):
    with in_tenant(org_a):
        services.landing_page_update(page=hotspot["page"], actor=None, login_method="handoff")
    page_config_clear()
    make_voucher()
    sim = hotspot["router"].sim
    with FakeHotspot(sim, portal_url="/p/kofi-cafe/", identity="Cafe") as router_web:
        start = urlsplit(router_web.start_url(mac=DEVICE_MAC, ip=DEVICE_IP))
        params = {k: v[0] for k, v in parse_qs(start.query).items()}
        response = type_code(client, "NET7K4MQ9RT", params)
        with urllib.request.urlopen(response["Location"], timeout=5) as reply:  # noqa: S310
            assert reply.status == 200
    assert router_web.logins == [{"user": "NET-7K4M-Q9RT", "mac": DEVICE_MAC, "ip": DEVICE_IP}]
    assert [s["user"] for s in sim.hotspot_active] == ["NET-7K4M-Q9RT"]


def test_wrong_used_and_expired_codes_get_distinct_messages(
    client, hotspot, make_voucher, org_a, sim_router, in_tenant
):
    elsewhere = sim_router(org_a, name="Other site")
    make_voucher("NET-USED-UP01", status=Voucher.Status.USED_UP)
    make_voucher("NET-OLD0-0001", status=Voucher.Status.EXPIRED)
    make_voucher("NET-OLD0-0002", unsold_expires_at=timezone.now() - timedelta(days=1))
    make_voucher("NET-GONE-0001", status=Voucher.Status.REVOKED)
    make_voucher("NET-ELSE-0001", status=Voucher.Status.ACTIVE, router=elsewhere)

    cases = {
        "NET-NOPE-0000": "That code is not valid.",
        "NET-USED-UP01": "has already been used up",
        "NET-ELSE-0001": "has already been used up",
        "NET-OLD0-0001": "This code has expired.",
        "NET-OLD0-0002": "This code has expired.",
        "NET-GONE-0001": "This code has been cancelled.",
    }
    for n, (code, message) in enumerate(cases.items()):
        response = type_code(client, code, handoff_params(mac=f"02:00:00:00:00:{n:02X}"))
        assert response.status_code == 400, code
        body = response.content.decode()
        assert message in body, code
        assert 'role="alert"' in body
    assert hotspot["router"].sim.hotspot_active == []


def test_a_returning_device_is_logged_in_again_with_its_code(client, hotspot, make_voucher):
    make_voucher()
    assert type_code(client, "NET-7K4M-Q9RT").status_code == 303
    sim = hotspot["router"].sim
    sim.hotspot_active_table.rows.clear()  # the session ended (idle timeout)

    again = type_code(client, "NET-7K4M-Q9RT")

    assert again.status_code == 303
    assert [s["user"] for s in sim.hotspot_active] == ["NET-7K4M-Q9RT"]


def test_a_code_of_another_operator_is_just_a_wrong_code(client, hotspot, org_b, make_voucher):
    # given operator B sold a code
    package_b = PackageFactory(organization=org_b, name="B day", profile_name="np-b-day")
    VoucherFactory(
        organization=org_b, package=package_b, code="NET-BBBB-0001", lookup="NETBBBB0001"
    )
    params = handoff_params()
    token = handoff_token(client, params)

    # when it is typed on A's page, and a code nobody has is typed too
    foreign = client.post("/p/kofi-cafe/login/", {"h": token, "code": "NET-BBBB-0001"})
    unknown = client.post("/p/kofi-cafe/login/", {"h": token, "code": "NET-BBBB-0002"})

    # then the two answers cannot be told apart
    assert foreign.status_code == unknown.status_code == 400

    def normalise(response):
        # The hand-off token is signed with a timestamp, so it differs when a
        # second ticks over between the two posts; it says nothing about the code.
        body = re.sub(r"[\w-]+:[\w-]{6}:[\w-]{20,}", "TOKEN", response.content.decode())
        return re.sub(r"NET-BBBB-000[12]", "X", body)

    assert normalise(foreign) == normalise(unknown)
    assert sorted(foreign.headers) == sorted(unknown.headers)


def test_guessing_locks_the_device_out_and_says_when_to_retry(
    client, hotspot, make_voucher, org_a, in_tenant, settings
):
    settings.PORTAL_GUESSES_PER_DEVICE = 5
    voucher = make_voucher()
    token = handoff_token(client)
    for n in range(4):
        response = client.post("/p/kofi-cafe/login/", {"h": token, "code": f"NET-GUES-{n:04d}"})
        assert response.status_code == 400

    # the fifth wrong code locks the device out
    locked = client.post("/p/kofi-cafe/login/", {"h": token, "code": "NET-GUES-9999"})
    assert locked.status_code == 429
    assert 840 <= int(locked["Retry-After"]) <= 900
    assert re.search(r"try again in 15 minutes \(at \d\d:\d\d\)", locked.content.decode())

    # even the right code is refused until then, and is not used up
    right = client.post("/p/kofi-cafe/login/", {"h": token, "code": "NET-7K4M-Q9RT"})
    assert right.status_code == 429
    assert voucher_status(org_a, in_tenant, voucher) == Voucher.Status.UNUSED
    assert hotspot["router"].sim.hotspot_active == []


def test_changing_mac_addresses_does_not_escape_the_limit_of_the_network(client, hotspot, settings):
    settings.PORTAL_GUESSES_PER_IP = 8
    statuses = []
    for n in range(9):
        params = handoff_params(mac=f"02:00:00:00:01:{n:02X}")
        statuses.append(type_code(client, f"NET-GUES-{n:04d}", params).status_code)
    assert statuses[:7] == [400] * 7
    assert statuses[7] == 429
    assert statuses[8] == 429


def test_offline_router_keeps_the_code_and_does_not_count_as_a_guess(
    client, hotspot, make_voucher, org_a, in_tenant, sim_fleet, settings
):
    settings.PORTAL_GUESSES_PER_DEVICE = 2
    voucher = make_voucher()
    sim_fleet.take_down(hotspot["router"].sim)
    for _ in range(3):
        response = type_code(client, "NET-7K4M-Q9RT")
        assert response.status_code == 503
        assert "not answering right now" in response.content.decode()
    assert voucher_status(org_a, in_tenant, voucher) == Voucher.Status.UNUSED

    sim_fleet.bring_up(hotspot["router"].sim)
    assert type_code(client, "NET-7K4M-Q9RT").status_code == 303


def test_visit_without_the_routers_handoff_cannot_use_up_a_code(
    client, hotspot, make_voucher, org_a, in_tenant
):
    voucher = make_voucher()
    response = client.post("/p/kofi-cafe/login/", {"code": "NET-7K4M-Q9RT"})
    assert response.status_code == 400
    assert "We could not recognise your device" in response.content.decode()
    assert voucher_status(org_a, in_tenant, voucher) == Voucher.Status.UNUSED


def test_page_without_a_router_says_it_is_not_set_up(client, org_a):
    page = LandingPageFactory(organization=org_a, slug="lonely")
    standard_blocks(page)
    response = client.post("/p/lonely/login/", {"code": "NET-7K4M-Q9RT", "h": ""})
    assert response.status_code == 503
    assert "not fully set up" in response.content.decode()


def test_the_router_is_found_by_the_identity_it_sends(
    client, hotspot, make_voucher, org_a, sim_router, in_tenant
):
    from portal.models import LandingPageRouter

    second = sim_router(org_a, name="Terrace")
    with in_tenant(org_a):
        LandingPageRouter.objects.create(organization=org_a, page=hotspot["page"], router=second)
    page_config_clear()
    make_voucher()
    response = type_code(client, "NET-7K4M-Q9RT", handoff_params(router_name="terrace"))
    assert response.status_code == 303
    assert [s["user"] for s in second.sim.hotspot_active] == ["NET-7K4M-Q9RT"]
    assert hotspot["router"].sim.hotspot_active == []


def test_a_page_left_open_for_hours_asks_to_try_again(
    client, hotspot, make_voucher, org_a, in_tenant, monkeypatch
):
    import time as time_module

    voucher = make_voucher()
    token = handoff_token(client)
    later = time_module.time() + 4 * 3600
    monkeypatch.setattr("portal.handoff.time.time", lambda: later)
    response = client.post("/p/kofi-cafe/login/", {"h": token, "code": "NET-7K4M-Q9RT"})
    assert response.status_code == 400
    assert "This page was open for too long" in response.content.decode()
    assert voucher_status(org_a, in_tenant, voucher) == Voucher.Status.UNUSED


def test_getting_in_forgives_the_devices_earlier_typos(client, hotspot, make_voucher, settings):
    settings.PORTAL_GUESSES_PER_DEVICE = 5
    make_voucher()
    token = handoff_token(client)
    for n in range(4):
        client.post("/p/kofi-cafe/login/", {"h": token, "code": f"NET-TYPO-{n:04d}"})
    assert (
        client.post("/p/kofi-cafe/login/", {"h": token, "code": "NET-7K4M-Q9RT"}).status_code == 303
    )
    for n in range(4):
        response = client.post("/p/kofi-cafe/login/", {"h": token, "code": f"NET-LATE-{n:04d}"})
        assert response.status_code == 400

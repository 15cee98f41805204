"""An operator adds a simulated router, tests it, sees it online with its
sessions, and disconnects one — in a real browser against the real client."""

import re

import pytest
from playwright.sync_api import expect

from tests.routers.sim import SIM_PASSWORD, SIM_USERNAME

pytestmark = pytest.mark.django_db(transaction=True)


def test_add_router_see_it_online_and_disconnect_a_session(page, login_as, owner_a, sim_router):
    sim = sim_router(identity="Browser-Cafe", active_sessions=4, ppp_sessions=1)
    login_as(owner_a)

    page.goto("/routers/")
    expect(page.get_by_role("heading", name="No routers yet")).to_be_visible()
    page.get_by_role("link", name="Add a router").first.click()
    page.fill("#id_name", "Osu Café")
    page.fill("#id_site", "Accra")
    page.fill("#id_host", "127.0.0.1")
    page.fill("#id_api_port", str(sim.port))
    page.fill("#id_username", SIM_USERNAME)

    # A wrong password is reported clearly, without leaving the form.
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="Test connection").click()
    result = page.get_by_test_id("connection-result")
    expect(result).to_contain_text("refused the login")

    page.fill("#id_password", SIM_PASSWORD)
    page.get_by_role("button", name="Test connection").click()
    expect(result).to_contain_text("Connected to Browser-Cafe")
    expect(result).to_contain_text("RouterOS 7.14.3")
    page.screenshot(path="var/e2e-router-form.png", full_page=True)

    page.get_by_role("button", name="Save router").click()
    expect(page.get_by_role("heading", name="Osu Café")).to_be_visible()
    expect(page.get_by_test_id("router-status")).to_have_text("Online")
    expect(page.get_by_test_id("router-identity")).to_have_text("Browser-Cafe")
    rows = page.locator("#session-table tbody tr")
    expect(rows).to_have_count(5)  # four hotspot users and one PPPoE user
    page.screenshot(path="var/e2e-router-detail.png", full_page=True)

    victim = sim.hotspot_active[0]["user"]
    page.locator(f"tr[data-session='{victim}']").get_by_role("link", name="Disconnect").click()
    expect(page.get_by_role("heading", name="Disconnect session")).to_be_visible()
    page.get_by_role("button", name="Disconnect").click()

    expect(page.get_by_text(f"{victim} was disconnected.")).to_be_visible()
    expect(rows).to_have_count(4)
    expect(page.locator(f"tr[data-session='{victim}']")).to_have_count(0)
    assert victim not in [session["user"] for session in sim.hotspot_active]

    page.goto("/routers/")
    expect(page.get_by_test_id("count-online")).to_have_text("1")
    expect(page.get_by_test_id("users-online")).to_have_text(re.compile(r"^4$"))
    page.screenshot(path="var/e2e-router-list.png", full_page=True)

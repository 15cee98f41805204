import pytest

from nettportal.dashboard import DOMAIN_APPS
from tests.world import build_world


@pytest.mark.django_db
def test_dashboard_home_shows_every_apps_widget_with_a_fixed_query_budget(
    client, django_assert_max_num_queries
):
    """Each app adds its widget; the home page runs a fixed number of queries
    (each widget aggregates in the database, whatever the number of rows)."""
    from importlib.util import find_spec

    world = build_world("Alpha", "AAHOME")
    client.force_login(world.users["owner"])
    client.get("/dashboard/")  # the session's first request also records the session
    with django_assert_max_num_queries(32):  # incl. the database cache when Redis is absent
        response = client.get("/dashboard/")
    assert response.status_code == 200
    offering = [app for app in DOMAIN_APPS if find_spec(f"{app}.dashboard")]
    assert len(offering) >= 6
    assert len(response.context["widgets"]) >= len(offering)

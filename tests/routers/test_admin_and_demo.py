"""Staff admin pages and the demo fleet hooks."""

import pytest
from django.core.management import call_command

from accounts.models import Organization
from accounts.tenancy import tenant
from routers import devstack
from routers.demo import DEMO_BASE_PORT, DEMO_FLEET
from routers.models import Router, RouterStatusSample
from tests.routers.factories import ActiveSessionFactory, RouterEventFactory, RouterFactory

pytestmark = pytest.mark.django_db


def test_staff_can_browse_and_search_every_router_page(admin_client, org_a, org_b):
    router = RouterFactory(organization=org_a, name="Findable Router")
    RouterFactory(organization=org_b, name="Other Org Router")
    ActiveSessionFactory(organization=org_a, router=router)
    RouterEventFactory(organization=org_a, router=router)
    for path in (
        "router",
        "routerevent",
        "activesession",
        "routerinterface",
        "routerstatussample",
        "interfacetrafficsample",
    ):
        assert admin_client.get(f"/admin/routers/{path}/").status_code == 200, path
    found = admin_client.get("/admin/routers/router/", {"q": "Findable"}).content.decode()
    assert "Findable Router" in found
    assert "Other Org Router" not in found
    filtered = admin_client.get("/admin/routers/router/", {"status__exact": "online"})
    assert filtered.status_code == 200
    assert admin_client.get(f"/admin/routers/router/{router.pk}/change/").status_code == 200


def test_seed_demo_creates_the_demo_fleet_once(capsys):
    call_command("seed_demo", "--quiet")
    call_command("seed_demo", "--quiet")

    organization = Organization.objects.get(slug="demo-wifi")
    with tenant(organization):
        routers = list(Router.objects.order_by("api_port"))
        assert [r.name for r in routers] == [name for name, _site in DEMO_FLEET]
        assert [r.api_port for r in routers] == [DEMO_BASE_PORT + i for i in range(len(routers))]
        assert all(r.password for r in routers)
        assert RouterStatusSample.objects.filter(router=routers[0]).count() == 7 * 96


def test_devstack_starts_a_matching_simulated_fleet():
    ((name, argv),) = devstack.processes(8000)
    assert name == "routers-sim"
    assert argv[1:3] == ["manage.py", "routeros_sim"]
    assert argv[argv.index("--count") + 1] == str(len(DEMO_FLEET))
    assert argv[argv.index("--port") + 1] == str(DEMO_BASE_PORT)

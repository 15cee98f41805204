import io

import pytest

from accounts.roles import Role
from portal.models import LandingPage, PortalPurchase
from tests.portal.factories import LandingPageFactory
from tests.routers.factories import RouterFactory
from tests.vouchers.factories import PackageFactory

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_landing_page_widget(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a)
    package = PackageFactory(organization=org_a, name="1 Day", profile_name="np-1d")
    with in_tenant(org_a):
        PortalPurchase.objects.create(
            organization=org_a,
            page=page,
            package=package,
            package_name="1 Day",
            method="mpesa",
            status=PortalPurchase.Status.FULFILLED,
        )
        PortalPurchase.objects.create(
            organization=org_a, page=page, package=package, package_name="1 Day", method="mpesa"
        )
    body = client_a.get("/dashboard/").content.decode()
    assert "package sold on your pages in the last 24 hours" in body
    assert "2 purchases started" in body


def test_widget_invites_to_create_a_page(client, org_a, make_member):
    client.force_login(make_member(org_a, Role.VIEWER))
    assert "Create the page your customers see" in client.get("/dashboard/").content.decode()


def test_demo_seed_builds_a_page_with_the_routers_and_packages(org_a, in_tenant):
    from portal import demo

    RouterFactory(organization=org_a, name="Demo router")
    PackageFactory(organization=org_a, name="1 Day", profile_name="np-1d")
    with in_tenant(org_a):
        demo.seed(org_a, io.StringIO())
        demo.seed(org_a, io.StringIO())  # idempotent
        page = LandingPage.objects.get()
        assert page.slug == org_a.slug
        assert page.blocks.count() == 4
        assert page.router_links.count() == 1
        assert page.package_links.count() == 1

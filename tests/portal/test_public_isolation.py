"""The public pages at /p/<slug>/ set the tenant from the slug and never show another's data.

tests/test_isolation.py skips /p/ (its arguments are slugs and capabilities,
not tenant ids); these tests cover it: every public route of A's page, with
B's ids, tokens and file names, as an anonymous visitor and as B's owner.
"""

import re

import pytest

from accounts import tenancy
from portal.models import LandingAsset
from tests.portal.conftest import handoff_params
from tests.portal.factories import LandingBlockFactory, LandingPageFactory, standard_blocks
from tests.vouchers.factories import PackageFactory, VoucherFactory

pytestmark = pytest.mark.django_db
MARKER_B = "ZZLEAKMARKERB"


@pytest.fixture
def two_pages(org_a, org_b, in_tenant):
    page_a = LandingPageFactory(organization=org_a, slug="alpha-wifi", title="Alpha Wi-Fi")
    standard_blocks(page_a)
    page_b = LandingPageFactory(
        organization=org_b,
        slug="bravo-wifi",
        title=f"Bravo {MARKER_B}",
        support_phone="+233209999999",
        counter_instructions=f"Pay {MARKER_B}",
    )
    standard_blocks(page_b, welcome=f"Welcome {MARKER_B}")
    LandingBlockFactory(page=page_b, organization=org_b, kind="heading", text=MARKER_B)
    package_b = PackageFactory(organization=org_b, name=f"Pkg {MARKER_B}", profile_name="np-zz")
    with in_tenant(org_b):
        asset = LandingAsset.objects.create(
            organization=org_b,
            page=page_b,
            content=b"png",
            content_type="image/png",
            digest="b" * 64,
            width=1,
            height=1,
        )
    return page_a, page_b, package_b, asset


def public_urls(slug, *, package_id, asset_name, token):
    return [
        ("get", f"/p/{slug}/", {}),
        ("get", f"/p/{slug}/", handoff_params(identity=MARKER_B)),
        ("post", f"/p/{slug}/login/", {"code": "NET-BBBB-0001"}),
        ("get", f"/p/{slug}/connected/", {"t": token}),
        ("get", f"/p/{slug}/privacy/", {}),
        ("get", f"/p/{slug}/login.html", {}),
        ("get", f"/p/{slug}/img/{asset_name}", {}),
        ("get", f"/p/{slug}/buy/", {"package": package_id}),
        ("post", f"/p/{slug}/buy/", {"package": package_id, "method": "mpesa"}),
        ("get", f"/p/{slug}/pay/{token}/", {}),
        ("post", f"/p/{slug}/pay/{token}/check/", {}),
        ("get", f"/p/{slug}/recover/", {}),
        ("post", f"/p/{slug}/recover/", {"contact": "+233209999999", "reference": "NPBBBB0001"}),
        ("get", f"/p/{slug}/your-data/", {}),
        ("post", f"/p/{slug}/your-data/", {"kind": "access", "name": "X", "contact": "x@y.test"}),
        ("get", f"/p/{slug}/your-data/{token}/", {}),
    ]


def test_no_public_route_of_a_page_shows_another_organisations_data(client, two_pages, owner_b):
    _page_a, page_b, package_b, asset = two_pages
    VoucherFactory(
        organization=page_b.organization,
        package=package_b,
        code="NET-BBBB-0001",
        lookup="NETBBBB0001",
    )
    b_page_body = client.get("/p/bravo-wifi/").content.decode()
    assert MARKER_B in b_page_body  # B's own page does show B's data
    asset_name = re.search(r"[0-9a-f]{32}\.png", asset.filename).group(0)

    for who in ("anonymous", "owner of B"):
        if who == "owner of B":
            client.force_login(owner_b)
        for method, url, data in public_urls(
            "alpha-wifi", package_id=package_b.pk, asset_name=asset_name, token="x" * 24
        ):
            response = getattr(client, method)(url, data)
            body = response.content.decode(errors="replace")
            assert MARKER_B not in body, f"{who} {method} {url} showed B's data"
            if "recover" not in url:  # the recovery form shows back the number typed
                assert "+233209999999" not in body
            assert response.status_code != 500, url
        assert tenancy.current_organization_or_none() is None


def test_the_tenant_is_active_only_during_the_request(client, two_pages, org_a, monkeypatch):
    from portal.views.public import landing as public

    seen = []
    original = public.connect.voucher_login

    def spy(**kwargs):
        seen.append(tenancy.current_organization().pk)
        return original(**kwargs)

    monkeypatch.setattr(public.connect, "voucher_login", spy)
    client.get("/p/alpha-wifi/", handoff_params())
    client.post("/p/alpha-wifi/login/", {"code": "NET-AAAA-0001"})
    assert seen == [org_a.pk]
    assert tenancy.current_organization_or_none() is None


def test_an_image_is_served_only_under_its_own_page(client, two_pages):
    _page_a, _page_b, _package_b, asset = two_pages
    assert client.get(f"/p/bravo-wifi/img/{asset.filename}").status_code == 200
    assert client.get(f"/p/alpha-wifi/img/{asset.filename}").status_code == 404


def test_slugs_are_unique_across_organisations(two_pages, org_a, in_tenant):
    from nettportal.errors import ValidationFailed
    from portal import services

    with in_tenant(org_a), pytest.raises(ValidationFailed, match="already taken"):
        services.landing_page_create(
            organization=org_a, actor=None, slug="bravo-wifi", title="Copycat"
        )

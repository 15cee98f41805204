import re

import pytest

from accounts.models import Organization
from portal import services
from portal.models import LandingBlock
from portal.pagecache import page_config_clear
from tests.portal.factories import LandingBlockFactory, LandingPageFactory, standard_blocks

pytestmark = pytest.mark.django_db

HANDOFF = {
    "mac": "AA:BB:CC:DD:EE:01",
    "ip": "10.5.50.23",
    "link-login-only": "http://10.5.50.1/login",
    "link-orig": "http://example.com/",
    "chap-id": "\\375",
    "chap-challenge": "\\061\\222",
    "identity": "Cafe",
}


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    page_config_clear()
    yield
    page_config_clear()


@pytest.fixture
def page(org_a):
    page = LandingPageFactory(organization=org_a, slug="kofi-cafe", title="Kofi's Café")
    standard_blocks(page, welcome="Karibu to Kofi's!")
    return page


def test_landing_page_shows_the_operators_blocks_in_order(client, page):
    body = client.get("/p/kofi-cafe/").content.decode()
    assert "<h1>Kofi&#x27;s Café</h1>" in body
    welcome, voucher, contact = (
        body.index("Karibu to Kofi"),
        body.index('name="code"'),
        body.index("Need help?"),
    )
    assert welcome < voucher < contact
    assert 'href="tel:+233201234567"' in body
    assert "Wi-Fi by Alpha Wireless" in body


def test_landing_page_sets_no_cookie_runs_no_script_and_loads_nothing_from_elsewhere(client, page):
    response = client.get("/p/kofi-cafe/", HANDOFF)
    body = response.content.decode()
    assert response.status_code == 200
    assert not response.cookies
    assert "<script" not in body
    assert "script-src" not in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert sources, "the page links somewhere"
    for url in sources:
        assert url.startswith(("/p/kofi-cafe/", "tel:", "https://wa.me/")), url


def test_handoff_travels_in_a_signed_field_not_in_cookies(client, page):
    body = client.get("/p/kofi-cafe/", HANDOFF).content.decode()
    token = re.search(r'name="h" value="([^"]+)"', body).group(1)
    from portal.handoff import Handoff

    assert Handoff.from_token(token).mac == "AA:BB:CC:DD:EE:01"
    assert f"/p/kofi-cafe/your-data/?h={token}" in body


def test_router_error_is_shown_in_our_words_only(client, page):
    phishing = "Your code expired. Call +1 555 0100 to buy a new one"
    body = client.get("/p/kofi-cafe/", {**HANDOFF, "error": phishing}).content.decode()
    assert "555 0100" not in body
    assert "The time or data of this code is used up." in body

    body = client.get(
        "/p/kofi-cafe/", {**HANDOFF, "error": "invalid username or password"}
    ).content.decode()
    assert "The router did not accept the login" in body


def test_unknown_address_is_not_found(client, page):
    assert client.get("/p/no-such-page/").status_code == 404


def test_unpublished_page_or_suspended_operator_is_unavailable(client, page, org_a, in_tenant):
    with in_tenant(org_a):
        services.landing_page_update(page=page, actor=None, is_published=False)
    page_config_clear()
    response = client.get("/p/kofi-cafe/")
    assert response.status_code == 503
    assert "not available right now" in response.content.decode()
    assert 'name="code"' not in response.content.decode()

    with in_tenant(org_a):
        services.landing_page_update(page=page, actor=None, is_published=True)
    Organization.objects.filter(pk=org_a.pk).update(status=Organization.Status.SUSPENDED)
    page_config_clear()
    assert client.get("/p/kofi-cafe/").status_code == 503


def test_a_repeat_visit_costs_no_database_query(client, page, django_assert_num_queries):
    client.get("/p/kofi-cafe/", HANDOFF)
    with django_assert_num_queries(0):
        response = client.get("/p/kofi-cafe/", {**HANDOFF, "mac": "AA:BB:CC:DD:EE:02"})
    assert response.status_code == 200


def test_builder_changes_show_at_once(
    client, page, org_a, in_tenant, django_capture_on_commit_callbacks
):
    assert "Kofi&#x27;s Café" in client.get("/p/kofi-cafe/").content.decode()
    with django_capture_on_commit_callbacks(execute=True), in_tenant(org_a):
        services.landing_page_update(page=page, actor=None, title="Kofi's Garden")
    assert "Kofi&#x27;s Garden" in client.get("/p/kofi-cafe/").content.decode()


def test_changing_the_address_frees_the_old_one(
    client, page, org_a, in_tenant, django_capture_on_commit_callbacks
):
    client.get("/p/kofi-cafe/")
    with django_capture_on_commit_callbacks(execute=True), in_tenant(org_a):
        services.landing_page_update(page=page, actor=None, slug="kofi-garden")
    assert client.get("/p/kofi-cafe/").status_code == 404
    assert client.get("/p/kofi-garden/").status_code == 200


def test_page_images_are_served_with_a_long_cache(client, page, org_a, in_tenant):
    from tests.portal.images import png_upload

    with in_tenant(org_a):
        page = services.landing_page_update(page=page, actor=None, logo=png_upload())
        filename = page.logo.filename
    page_config_clear()
    body = client.get("/p/kofi-cafe/").content.decode()
    assert f'src="/p/kofi-cafe/img/{filename}"' in body
    assert 'alt="Alpha Wireless"' in body
    image = client.get(f"/p/kofi-cafe/img/{filename}")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert "immutable" in image["Cache-Control"]
    assert client.get("/p/kofi-cafe/img/" + "0" * 32 + ".png").status_code == 404


def test_login_html_is_public_for_the_routers_fetch(client, page, settings):
    settings.SITE_URL = "https://wifi.example"
    response = client.get("/p/kofi-cafe/login.html")
    assert response.status_code == 200
    assert 'action="https://wifi.example/p/kofi-cafe/"' in response.content.decode()


def test_privacy_notice_names_the_operator_as_controller(client, page):
    body = client.get("/p/kofi-cafe/privacy/", HANDOFF).content.decode()
    assert "This Wi-Fi is run by Alpha Wireless" in body
    assert "data controller" in body
    assert "/p/kofi-cafe/your-data/?h=" in body


def test_operators_own_privacy_notice_is_linked_when_given(client, page, org_a, in_tenant):
    with in_tenant(org_a):
        services.landing_page_update(
            page=page, actor=None, privacy_url="https://kofi.example/privacy"
        )
    page_config_clear()
    body = client.get("/p/kofi-cafe/").content.decode()
    assert 'href="https://kofi.example/privacy"' in body


def test_posts_from_another_site_are_refused(client, page):
    response = client.post(
        "/p/kofi-cafe/login/", {"code": "NET-1234"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    response = client.post("/p/kofi-cafe/login/", {"code": "NET-1234"}, HTTP_ORIGIN="null")
    assert response.status_code == 403


def test_empty_code_is_explained_and_not_counted(client, page):
    for _ in range(8):
        response = client.post("/p/kofi-cafe/login/", {"code": " - "})
    assert response.status_code == 400
    assert "Type the code printed on your voucher." in response.content.decode()


def test_landing_page_weighs_under_30_kb_without_the_logo(client, org_a):
    # given a busy page: long texts, several headings, every kind of block
    page = LandingPageFactory(
        organization=org_a,
        slug="busy",
        terms_url="https://busy.example/terms",
        support_whatsapp="+233201234567",
    )
    standard_blocks(page, welcome="Welcome! " * 100)
    for n in range(6):
        LandingBlockFactory(
            page=page, organization=org_a, kind=LandingBlock.Kind.HEADING, text=f"Section {n}"
        )
        LandingBlockFactory(
            page=page, organization=org_a, kind=LandingBlock.Kind.TEXT, text="Lorem ipsum. " * 40
        )

    # when a phone opens it through the router's hand-off
    response = client.get("/p/busy/", HANDOFF)

    # then HTML with its inline CSS (the whole page: no other request is needed) is small
    assert response.status_code == 200
    assert len(response.content) <= 30 * 1024
    assert "<link" not in response.content.decode()
    assert "<script" not in response.content.decode()


def test_a_flood_of_query_parameters_is_ignored_not_an_error(client, page):
    query = "&".join(f"x{n}=1" for n in range(50))
    response = client.get(f"/p/kofi-cafe/?{query}")
    assert response.status_code == 200
    assert 'name="h"' not in response.content.decode()


def test_code_from_a_printed_vouchers_qr_link_fills_the_voucher_box(client, page):
    direct = client.get("/p/kofi-cafe/", {"code": "NET-7K4M-Q9RT"}).content.decode()
    assert 'value="NET-7K4M-Q9RT"' in direct
    caught = client.get(
        "/p/kofi-cafe/",
        {**HANDOFF, "link-orig": "http://wifi.example/p/kofi-cafe/?code=NET-7K4M-Q9RT"},
    ).content.decode()
    assert 'value="NET-7K4M-Q9RT"' in caught
    hostile = client.get("/p/kofi-cafe/", {"code": '"><script>x</script>'}).content.decode()
    assert "<script>" not in hostile

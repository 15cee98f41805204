import pytest

from accounts.roles import Role
from portal.models import LandingAsset, LandingBlock, LandingPage, LandingPageRouter
from tests.portal import images
from tests.portal.factories import LandingPageFactory, standard_blocks
from tests.routers.factories import RouterFactory

pytestmark = pytest.mark.django_db


def page_form(**overrides):
    data = {
        "title": "Kofi's Café Wi-Fi",
        "slug": "kofi-cafe",
        "language": "en",
        "welcome_text": "Karibu! Fast Wi-Fi for our guests.",
        "color_primary": "#0b6e69",
        "color_background": "#f5f7f9",
        "color_text": "#17212b",
        "support_phone": "020 123 4567",
        "support_whatsapp": "",
        "terms_url": "",
        "privacy_url": "",
        "offer_mpesa": "on",
        "offer_paystack": "on",
        "counter_instructions": "Pay at the bar.",
        "login_method": "auto",
        "hotspot_dns_name": "",
        "is_published": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def all_pages():
    from accounts.tenancy import all_tenants

    with all_tenants():
        return list(LandingPage.objects.order_by("pk"))


def test_owner_creates_a_page_with_default_blocks_and_a_reencoded_logo(client_a, org_a, in_tenant):
    # when the owner fills in the form with a logo
    response = client_a.post("/landing-pages/new/", {**page_form(), "logo": images.png_upload()})

    # then the page exists with the starting blocks, and the logo was re-encoded
    assert response.status_code == 302
    with in_tenant(org_a):
        page = LandingPage.objects.get(slug="kofi-cafe")
        assert response["Location"] == f"/landing-pages/{page.pk}/"
        assert page.support_phone == "+233201234567"
        kinds = list(page.blocks.values_list("kind", flat=True))
        assert kinds == ["text", "voucher", "packages", "contact"]
        assert page.blocks.first().text == "Karibu! Fast Wi-Fi for our guests."
        logo = page.logo
        assert (logo.width, logo.height) == (320, 160)
        assert b"secret description" not in bytes(logo.content)


def test_address_taken_by_another_organisation_is_refused(client_a, org_b):
    # given another operator already uses the address
    LandingPageFactory(organization=org_b, slug="kofi-cafe")

    # when this operator asks for it
    response = client_a.post("/landing-pages/new/", page_form())

    # then the form says so and nothing is created
    assert response.status_code == 200
    assert "already taken" in response.content.decode()
    assert [p.slug for p in all_pages()] == ["kofi-cafe"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "admin"}, "reserved"),
        ({"slug": "Not a slug!"}, "Enter a valid"),
        ({"color_text": "#cccccc"}, "hard to read"),
        ({"support_phone": "12"}, "valid phone number"),
        ({"hotspot_dns_name": "not a host"}, "host name"),
        ({"language": "de"}, "Select a valid choice"),
    ],
)
def test_invalid_settings_are_explained_and_nothing_is_saved(client_a, overrides, message):
    response = client_a.post("/landing-pages/new/", page_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert all_pages() == []


def test_unsafe_logo_is_refused_and_the_page_keeps_its_settings(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a, slug="kofi-cafe", title="Before")
    response = client_a.post(
        f"/landing-pages/{page.pk}/",
        {**page_form(title="After"), "logo": images.svg_upload()},
    )
    assert response.status_code == 200
    assert "Upload a PNG, JPEG, GIF or WebP image." in response.content.decode()
    with in_tenant(org_a):
        page.refresh_from_db()
        assert page.title == "Before"
        assert page.logo_id is None
        assert not LandingAsset.objects.exists()


def test_read_only_member_sees_the_builder_but_cannot_change_anything(
    client, org_a, make_member, in_tenant
):
    page = LandingPageFactory(organization=org_a, title="Original")
    blocks = standard_blocks(page)
    client.force_login(make_member(org_a, Role.VIEWER))

    assert client.get("/landing-pages/").status_code == 200
    assert client.get(f"/landing-pages/{page.pk}/").status_code == 200
    assert client.get("/landing-pages/new/").status_code == 403
    assert client.post("/landing-pages/new/", page_form()).status_code == 403
    assert client.post(f"/landing-pages/{page.pk}/", page_form(title="Changed")).status_code == 403
    assert (
        client.post(
            f"/landing-pages/{page.pk}/blocks/add/", {"kind": "heading", "text": "Hi"}
        ).status_code
        == 403
    )
    assert client.post(f"/landing-pages/{page.pk}/blocks/{blocks[1].pk}/delete/").status_code == 403
    assert client.post(f"/landing-pages/{page.pk}/delete/").status_code == 403

    with in_tenant(org_a):
        page.refresh_from_db()
        assert page.title == "Original"
        assert page.blocks.count() == 4
    assert len(all_pages()) == 1


def test_blocks_are_added_reordered_and_removed_with_htmx(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a)
    standard_blocks(page)
    htmx = {"HTTP_HX_REQUEST": "true"}
    version = page.version

    # when a heading is added
    response = client_a.post(
        f"/landing-pages/{page.pk}/blocks/add/", {"kind": "heading", "text": "Cheap data!"}, **htmx
    )
    # then the block list comes back with it, and the preview frame is swapped to reload
    body = response.content.decode()
    assert response.status_code == 200
    assert "Cheap data!" in body
    assert 'id="preview" hx-swap-oob="true"' in body
    with in_tenant(org_a):
        heading = page.blocks.get(kind="heading")
        assert heading.position == 4
        page.refresh_from_db()
        assert page.version > version

    # when it is moved up twice
    for _ in range(2):
        client_a.post(
            f"/landing-pages/{page.pk}/blocks/{heading.pk}/move/", {"direction": "up"}, **htmx
        )
    with in_tenant(org_a):
        kinds = list(page.blocks.order_by("position").values_list("kind", flat=True))
    assert kinds == ["text", "voucher", "heading", "packages", "contact"]

    # when it is removed (after a confirmation page)
    confirm = client_a.get(f"/landing-pages/{page.pk}/blocks/{heading.pk}/delete/")
    assert "Remove the block" in confirm.content.decode()
    client_a.post(f"/landing-pages/{page.pk}/blocks/{heading.pk}/delete/")
    with in_tenant(org_a):
        assert not page.blocks.filter(kind="heading").exists()


def test_moving_the_first_block_up_changes_nothing(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a)
    blocks = standard_blocks(page)
    response = client_a.post(
        f"/landing-pages/{page.pk}/blocks/{blocks[0].pk}/move/", {"direction": "up"}
    )
    assert response.status_code == 302
    with in_tenant(org_a):
        assert list(page.blocks.values_list("pk", flat=True)) == [b.pk for b in blocks]


def test_image_block_needs_an_image_and_a_description(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a)
    url = f"/landing-pages/{page.pk}/blocks/add/"

    no_alt = client_a.post(url, {"kind": "image", "image": images.jpeg_upload()})
    assert no_alt.status_code == 422
    assert "Describe the image" in no_alt.content.decode()

    ok = client_a.post(
        url, {"kind": "image", "image": images.jpeg_upload(), "image_alt": "Our terrace"}
    )
    assert ok.status_code == 302
    with in_tenant(org_a):
        block = page.blocks.get(kind=LandingBlock.Kind.IMAGE)
        assert block.image.content_type == "image/jpeg"
        assert max(block.image.width, block.image.height) == 720


def test_removing_an_image_block_deletes_its_image(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a)
    client_a.post(
        f"/landing-pages/{page.pk}/blocks/add/",
        {"kind": "image", "image": images.jpeg_upload(), "image_alt": "Terrace"},
    )
    with in_tenant(org_a):
        block = page.blocks.get()
        assert LandingAsset.objects.count() == 1
    client_a.post(f"/landing-pages/{page.pk}/blocks/{block.pk}/delete/")
    with in_tenant(org_a):
        assert LandingAsset.objects.count() == 0


def test_block_text_can_be_edited(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a)
    block = standard_blocks(page)[0]
    empty = client_a.post(f"/landing-pages/{page.pk}/blocks/{block.pk}/edit/", {"text": ""})
    assert "needs some text" in empty.content.decode()
    client_a.post(f"/landing-pages/{page.pk}/blocks/{block.pk}/edit/", {"text": "New words"})
    with in_tenant(org_a):
        block.refresh_from_db()
        assert block.text == "New words"


def test_preview_shows_unsaved_settings_in_a_frame_and_saves_nothing(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a, title="Saved title")
    standard_blocks(page)

    saved = client_a.get(f"/landing-pages/{page.pk}/preview/")
    assert saved.status_code == 200
    assert saved["X-Frame-Options"] == "SAMEORIGIN"
    assert "Saved title" in saved.content.decode()
    assert 'onsubmit="return false"' in saved.content.decode()

    draft = client_a.post(
        f"/landing-pages/{page.pk}/preview/",
        page_form(title="Draft title", slug=page.slug, color_primary="#aa0000"),
    )
    body = draft.content.decode()
    assert "Draft title" in body
    assert "--np-primary:#aa0000" in body
    with in_tenant(org_a):
        page.refresh_from_db()
        assert page.title == "Saved title"


def test_linking_a_router_moves_it_from_its_previous_page(client_a, org_a, in_tenant):
    router = RouterFactory(organization=org_a, name="Main hall")
    first = LandingPageFactory(organization=org_a, slug="first-page")
    second = LandingPageFactory(organization=org_a, slug="second-page")
    client_a.post(f"/landing-pages/{first.pk}/", page_form(slug="first-page", routers=[router.pk]))
    with in_tenant(org_a):
        assert LandingPageRouter.objects.get().page == first

    client_a.post(
        f"/landing-pages/{second.pk}/", page_form(slug="second-page", routers=[router.pk])
    )
    with in_tenant(org_a):
        assert LandingPageRouter.objects.get().page == second


def test_another_organisations_router_cannot_be_linked(client_a, org_a, org_b, in_tenant):
    foreign = RouterFactory(organization=org_b)
    page = LandingPageFactory(organization=org_a)
    response = client_a.post(
        f"/landing-pages/{page.pk}/", page_form(slug=page.slug, routers=[foreign.pk])
    )
    assert "Select a valid choice" in response.content.decode()
    with in_tenant(org_a):
        assert not LandingPageRouter.objects.exists()


def test_router_setup_gives_login_html_and_routeros_commands(client_a, org_a, settings):
    settings.SITE_URL = "https://wifi.nettportal.example"
    page = LandingPageFactory(organization=org_a, slug="kofi-cafe", offer_paystack=True)

    setup = client_a.get(f"/landing-pages/{page.pk}/router/").content.decode()
    assert (
        '/tool fetch url="https://wifi.nettportal.example/p/kofi-cafe/login.html" '
        "dst-path=hotspot/login.html" in setup.replace("&quot;", '"')
    )
    assert "walled-garden add dst-host=wifi.nettportal.example" in setup
    assert "walled-garden ip add dst-host=wifi.nettportal.example" in setup
    assert "walled-garden add dst-host=checkout.paystack.com" in setup
    assert "login-by=http-chap,http-pap" in setup

    download = client_a.get(f"/landing-pages/{page.pk}/login.html")
    html = download.content.decode()
    assert download["Content-Disposition"] == 'attachment; filename="login.html"'
    assert 'action="https://wifi.nettportal.example/p/kofi-cafe/"' in html
    for variable in (
        "$(mac)",
        "$(ip)",
        "$(link-login-only)",
        "$(link-orig)",
        "$(chap-id)",
        "$(chap-challenge)",
        "$(identity)",
        "$(error)",
    ):
        assert variable in html


def test_deleting_a_page_asks_first(client_a, org_a, in_tenant):
    page = LandingPageFactory(organization=org_a)
    confirm = client_a.get(f"/landing-pages/{page.pk}/delete/")
    assert "Delete the page" in confirm.content.decode()
    with in_tenant(org_a):
        assert LandingPage.objects.exists()
    client_a.post(f"/landing-pages/{page.pk}/delete/")
    with in_tenant(org_a):
        assert not LandingPage.objects.exists()


def test_list_and_editor_cost_a_fixed_number_of_queries(
    client_a, org_a, django_assert_max_num_queries
):
    for n in range(8):
        standard_blocks(LandingPageFactory(organization=org_a, slug=f"page-{n}"))
    page = LandingPageFactory(organization=org_a)
    standard_blocks(page)
    client_a.get("/landing-pages/")  # the first request of a session also records the session
    with django_assert_max_num_queries(12):
        listing = client_a.get("/landing-pages/")
    assert listing.content.decode().count("/p/page-") == 8
    with django_assert_max_num_queries(16):
        assert client_a.get(f"/landing-pages/{page.pk}/").status_code == 200


def test_empty_list_invites_to_create_a_page(client_a):
    body = client_a.get("/landing-pages/").content.decode()
    assert "No landing pages yet" in body
    assert "/landing-pages/new/" in body

import re

import pytest

from nettportal import sms
from portal.pagecache import page_config_clear
from privacy.models import PrivacyRequest
from tests.customers.factories import CustomerFactory
from tests.portal.factories import LandingPageFactory, standard_blocks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_BACKEND = "nettportal.sms.LocmemBackend"
    sms.outbox.clear()
    page_config_clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def page(org_a):
    page = LandingPageFactory(organization=org_a, slug="kofi-cafe")
    standard_blocks(page)
    return page


@pytest.fixture
def customer(org_a, in_tenant):
    with in_tenant(org_a):
        return CustomerFactory(organization=org_a, phone="+233241234567", email="ama@example.test")


def ask(client, contact, kind="access", name="Ama Mensah", message="", **extra):
    return client.post(
        "/p/kofi-cafe/your-data/",
        {"kind": kind, "name": name, "contact": contact, "message": message},
        **extra,
    )


def requests_of(org, in_tenant):
    with in_tenant(org):
        return list(PrivacyRequest.objects.all())


def test_customer_asks_for_a_copy_verified_by_sms(
    client, page, customer, org_a, in_tenant, on_commit
):
    # given the form, in the footer of the landing page
    assert "/p/kofi-cafe/your-data/" in client.get("/p/kofi-cafe/").content.decode()

    # when the customer asks with the phone number on file (written the local way)
    with on_commit():
        response = ask(client, "024 123 4567")

    # then a code goes to that phone and the page asks for it, never showing the number
    assert response.status_code == 303
    code_page = client.get(response["Location"])
    assert "+233*******67" in code_page.content.decode()
    assert len(sms.outbox) == 1 and sms.outbox[0].to == "+233241234567"
    code = re.search(r"\b(\d{6})\b", sms.outbox[0].body).group(1)
    assert requests_of(org_a, in_tenant) == []

    # when the customer types the code
    done = client.post(response["Location"], {"code": code})

    # then the request is in the operator's privacy queue, linked to the customer
    body = done.content.decode()
    assert done.status_code == 200
    [privacy_request] = requests_of(org_a, in_tenant)
    assert privacy_request.kind == "access"
    assert privacy_request.source == PrivacyRequest.Source.LANDING_PAGE
    assert privacy_request.requester_phone == "+233241234567"
    assert privacy_request.customer_ref == str(customer.pk)
    assert privacy_request.reference in body
    assert "within 30 days" in body


def test_email_on_file_gets_the_code_by_email(
    client, page, customer, org_a, in_tenant, on_commit, mailoutbox
):
    with on_commit():
        response = ask(client, "AMA@example.test", kind="erasure")
    assert response.status_code == 303
    assert mailoutbox[-1].to == ["ama@example.test"]
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    client.post(response["Location"], {"code": code})
    [privacy_request] = requests_of(org_a, in_tenant)
    assert privacy_request.kind == "erasure"
    assert privacy_request.requester_email == "ama@example.test"


def test_unknown_contact_looks_the_same_and_sends_nothing(
    client, page, customer, org_a, in_tenant, on_commit, mailoutbox
):
    with on_commit():
        known = ask(client, "+233241234567")
        unknown = ask(client, "+233241111111")
    known_page = client.get(known["Location"]).content.decode()
    unknown_page = client.get(unknown["Location"]).content.decode()

    assert unknown.status_code == known.status_code == 303
    strip = lambda html: re.sub(r"your-data/[\w-]+/|\+233\*+\d\d", "", html)  # noqa: E731
    assert strip(known_page) == strip(unknown_page)
    assert [m.to for m in sms.outbox] == ["+233241234567"]

    # and no code makes the unknown request go through
    for guess in ("000000", "123456"):
        client.post(unknown["Location"], {"code": guess})
    assert requests_of(org_a, in_tenant) == []


def test_another_operators_customer_is_not_found_here(client, page, org_b, in_tenant, on_commit):
    with in_tenant(org_b):
        CustomerFactory(organization=org_b, phone="+233249999999")
    with on_commit():
        ask(client, "+233249999999")
    assert sms.outbox == []


def test_wrong_codes_are_limited_and_then_the_request_must_start_again(
    client, page, customer, org_a, in_tenant, on_commit
):
    with on_commit():
        response = ask(client, "+233241234567")
    code = re.search(r"\b(\d{6})\b", sms.outbox[0].body).group(1)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(4):
        attempt = client.post(response["Location"], {"code": wrong})
        assert attempt.status_code == 400
        assert "That code is not right" in attempt.content.decode()
    last = client.post(response["Location"], {"code": wrong})
    assert "Too many wrong codes" in last.content.decode()
    # the right code no longer works: the request is gone
    after = client.post(response["Location"], {"code": code})
    assert after.status_code == 303
    assert requests_of(org_a, in_tenant) == []


def test_sending_codes_is_rate_limited(client, page, customer, on_commit):
    with on_commit():
        statuses = [ask(client, "+233241234567").status_code for _ in range(6)]
    assert statuses[:5] == [303] * 5
    assert statuses[5] == 429
    assert len(sms.outbox) == 5


def test_form_errors_are_explained(client, page):
    response = ask(client, "not a phone", name="")
    body = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in body
    assert 'aria-invalid="true"' in body


def test_a_code_page_of_another_landing_page_is_not_reachable(
    client, page, customer, org_b, on_commit
):
    other = LandingPageFactory(organization=org_b, slug="bravo-wifi")
    standard_blocks(other)
    with on_commit():
        response = ask(client, "+233241234567")
    token = response["Location"].split("/your-data/")[1].split("/")[0]
    foreign = client.get(f"/p/bravo-wifi/your-data/{token}/")
    assert foreign.status_code == 303
    assert foreign["Location"].startswith("/p/bravo-wifi/your-data/")


def test_sms_log_lines_never_show_the_number(caplog, settings):
    settings.SMS_BACKEND = "nettportal.sms.ConsoleBackend"
    settings.DEBUG = False
    with caplog.at_level("INFO"):
        from nettportal.tasks import send_sms_task

        send_sms_task.delay("+233241234567", "123456 is your code")
    text = caplog.text
    assert "+233*******67" in text
    assert "241234567" not in text
    assert "123456" not in text

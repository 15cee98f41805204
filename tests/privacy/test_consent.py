from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client

from accounts.forms import SignupForm
from privacy.models import ConsentEvent, MarketingCampaign, MarketingConsent, Topic
from privacy.services import consent as consent_services
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


def test_marketing_is_opt_in_and_never_pre_ticked(client, owner_a):
    # the sign-up form's box is optional and unticked
    field = SignupForm().fields["marketing_opt_in"]
    assert field.required is False and field.initial is False
    # the preferences page shows every topic unticked for someone who never chose
    client.force_login(owner_a)
    page = client.get("/privacy-center/email-preferences/").content.decode()
    assert 'name="product_news"' in page and 'name="offers"' in page
    assert "checked" not in page
    assert not MarketingConsent.objects.filter(user=owner_a).exists()


def test_preferences_record_choices_and_history(client, owner_a):
    client.force_login(owner_a)
    client.post("/privacy-center/email-preferences/", {"product_news": "on"})
    client.post("/privacy-center/email-preferences/", {"product_news": "on"})  # no change
    client.post("/privacy-center/email-preferences/", {})

    assert not MarketingConsent.objects.get(user=owner_a, topic=Topic.PRODUCT_NEWS).is_granted
    history = list(
        ConsentEvent.objects.filter(user=owner_a)
        .order_by("at", "pk")
        .values_list("topic", "is_granted", "source")
    )
    assert history == [
        ("product_news", True, "preferences"),
        ("product_news", False, "preferences"),
    ]
    page = client.get("/privacy-center/my-data/").content.decode()
    assert "withdrawn" in page and "given" in page


def test_marketing_goes_only_to_users_who_opted_in(db, on_commit):
    # given three users: one opted in, one opted in then out, one never asked
    yes = UserFactory(email="yes@example.test")
    changed_mind = UserFactory(email="changed@example.test")
    never = UserFactory(email="never@example.test")
    inactive = UserFactory(email="inactive@example.test", is_active=False)
    for user in (yes, changed_mind, inactive):
        consent_services.consent_set(
            user=user, topic=Topic.PRODUCT_NEWS, granted=True, source="preferences"
        )
    consent_services.consent_set(
        user=changed_mind, topic=Topic.PRODUCT_NEWS, granted=False, source="preferences"
    )
    consent_services.consent_set(user=never, topic=Topic.OFFERS, granted=True, source="preferences")
    campaign = MarketingCampaign.objects.create(
        topic=Topic.PRODUCT_NEWS, subject="New: voucher printing", body="Hello operators!"
    )
    mail.outbox.clear()

    # when staff send the campaign
    with on_commit():
        consent_services.marketing_campaign_send(campaign=campaign, actor=None)

    # then only the consenting, active user got it, with RFC 8058 headers
    assert [message.to for message in mail.outbox] == [["yes@example.test"]]
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/privacy-center/unsubscribe/?t=" in link
    assert link in message.body
    campaign.refresh_from_db()
    assert campaign.status == MarketingCampaign.Status.SENT and campaign.recipient_count == 1
    # sending twice is refused
    with pytest.raises(consent_services.Conflict):
        consent_services.marketing_campaign_send(campaign=campaign, actor=None)


def test_one_click_unsubscribe_works_without_login_or_csrf(db, on_commit):
    user = UserFactory(email="reader@example.test")
    consent_services.consent_set(user=user, topic=Topic.OFFERS, granted=True, source="preferences")
    with on_commit():
        consent_services.marketing_email_send(user=user, topic=Topic.OFFERS, subject="S", body="B")
    link = mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>")

    # a mail client POSTs "List-Unsubscribe=One-Click" with no cookies and no CSRF token
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(_path(link), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not MarketingConsent.objects.get(user=user, topic=Topic.OFFERS).is_granted
    event = ConsentEvent.objects.filter(user=user).latest("at")
    assert (event.is_granted, event.source) == (False, "one_click")
    # and no more marketing email reaches them
    mail.outbox.clear()
    with on_commit():
        sent = consent_services.marketing_email_send(
            user=user, topic=Topic.OFFERS, subject="S", body="B"
        )
    assert sent is False and mail.outbox == []


def test_unsubscribe_link_in_a_browser_asks_first(db):
    user = UserFactory(email="browser@example.test")
    consent_services.consent_set(
        user=user, topic=Topic.PRODUCT_NEWS, granted=True, source="preferences"
    )
    path = _path(consent_services.unsubscribe_url(user, Topic.PRODUCT_NEWS))
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200
    assert "br…@example.test" in page.content.decode()
    assert MarketingConsent.objects.get(user=user).is_granted  # a GET changes nothing
    done = anonymous.post(path)
    assert "Done" in done.content.decode()
    assert not MarketingConsent.objects.get(user=user).is_granted


def test_a_forged_unsubscribe_token_is_refused(db):
    user = UserFactory()
    consent_services.consent_set(
        user=user, topic=Topic.PRODUCT_NEWS, granted=True, source="preferences"
    )
    response = Client().post("/privacy-center/unsubscribe/?t=1:forged", {})
    assert response.status_code == 400
    assert MarketingConsent.objects.get(user=user).is_granted


@pytest.mark.parametrize("ticked", [True, False])
def test_signup_records_consent_only_when_ticked(client, ticked):
    from accounts.models import User

    data = {
        "full_name": "Ama Mensah",
        "email": f"ama-{str(ticked).lower()}@example.test",
        "organization_name": "Ama Wi-Fi",
        "phone": "+233201234567",
        "country": "GH",
        "password1": "Str0ng-Passw0rd!x",
        "password2": "Str0ng-Passw0rd!x",
        "is_business_adult": "on",
        "accept_policies": "on",
    }
    if ticked:
        data["marketing_opt_in"] = "on"
    response = client.post("/account/signup/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    user = User.objects.get(email=data["email"])
    events = list(ConsentEvent.objects.filter(user=user).values_list("topic", "source"))
    assert events == ([("product_news", "signup")] if ticked else [])
    assert MarketingConsent.objects.filter(user=user, is_granted=True).exists() is ticked

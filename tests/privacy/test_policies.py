import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from privacy.models import PolicyAcceptance, PolicyDocument
from privacy.selectors import policy_current
from privacy.services import policies as policy_services
from tests.privacy.factories import PolicyDocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("staff@nettportal.test", "Staff-Pass-2026")


def test_publishing_a_significant_change_emails_every_owner_once(
    org_a, org_b, owner_a, owner_b, make_member, on_commit, staff
):
    viewer = make_member(org_a, Role.VIEWER)
    draft = PolicyDocumentFactory(version="2026-02-01")
    mail.outbox.clear()

    with on_commit():
        policy_services.policy_publish(document=draft, actor=staff)

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([owner_a.email, owner_b.email])
    assert viewer.email not in recipients
    assert "privacy policy" in mail.outbox[0].subject.lower()
    assert draft.summary in mail.outbox[0].body
    # the notification task is idempotent
    mail.outbox.clear()
    assert policy_services.policy_notify_owners(document_id=draft.pk) == 0
    assert mail.outbox == []


def test_banner_until_acknowledged_and_acceptance_per_user_and_version(
    client, org_a, owner_a, make_member, staff
):
    viewer = make_member(org_a, Role.VIEWER)
    document = policy_services.policy_publish(
        document=PolicyDocumentFactory(version="2026-03-01"), actor=staff
    )
    client.force_login(viewer)
    page = client.get("/dashboard/").content.decode()
    assert 'id="policy-banner-privacy"' in page
    assert document.summary in page

    response = client.post("/privacy-center/policies/acknowledge/", {"next": "/settings/members/"})

    assert response["Location"] == "/settings/members/"
    acceptance = PolicyAcceptance.objects.get(user=viewer, document=document)
    assert acceptance.ip_address == "127.0.0.1"
    assert 'id="policy-banner-privacy"' not in client.get("/dashboard/").content.decode()
    # the owner has not acknowledged yet and still sees it
    client.force_login(owner_a)
    assert 'id="policy-banner-privacy"' in client.get("/dashboard/").content.decode()


def test_a_minor_change_sends_nothing_and_shows_no_banner(client_a, on_commit, staff):
    mail.outbox.clear()
    with on_commit():
        policy_services.policy_publish(
            document=PolicyDocumentFactory(version="2026-04-01", is_significant=False),
            actor=staff,
        )
    assert mail.outbox == []
    assert "policy-banner" not in client_a.get("/dashboard/").content.decode()


def test_a_significant_change_needs_a_summary(staff):
    draft = PolicyDocumentFactory(version="2026-05-01", summary="")
    with pytest.raises(policy_services.ValidationFailed):
        policy_services.policy_publish(document=draft, actor=staff)
    draft.refresh_from_db()
    assert draft.published_at is None


def test_future_versions_are_announced_but_the_current_one_stays_in_force(staff):
    today = timezone.localdate()
    current = policy_current("privacy")
    upcoming = policy_services.policy_publish(
        document=PolicyDocumentFactory(
            version="2099-01-01",
            last_updated=today,
            effective_on=today + datetime.timedelta(days=30),
            body="Privacy Policy\n\nThe new text.",
        ),
        actor=staff,
    )
    assert policy_current("privacy") == current
    page = Client().get("/privacy").content.decode()
    assert "The new text." not in page
    PolicyDocument.objects.filter(pk=upcoming.pk).update(effective_on=today)
    assert policy_current("privacy") == upcoming
    page = Client().get("/privacy").content.decode()
    assert "The new text." in page and "Last updated" in page


def test_published_versions_cannot_be_edited_in_the_admin(client, staff):
    client.force_login(staff)
    published = policy_current("privacy")
    page = client.get(f"/admin/privacy/policydocument/{published.pk}/change/").content.decode()
    assert 'name="body"' not in page  # read-only
    response = client.post(
        f"/admin/privacy/policydocument/{published.pk}/change/",
        {"kind": "privacy", "version": "hacked", "body": "changed"},
    )
    published.refresh_from_db()
    assert published.version != "hacked" and published.body != "changed"
    assert response.status_code in (200, 302, 403)
    # drafts publish through the admin action
    draft = PolicyDocumentFactory(version="2026-06-01", is_significant=False)
    client.post(
        "/admin/privacy/policydocument/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.published_at is not None and draft.published_by == staff


def test_drafts_validate_dates_and_versions(staff):
    today = timezone.localdate()
    with pytest.raises(policy_services.ValidationFailed):
        policy_services.policy_create_draft(
            kind="terms",
            version="x",
            last_updated=today,
            effective_on=today - datetime.timedelta(days=1),
            body="Terms",
        )
    policy_services.policy_create_draft(
        kind="terms", version="2026-07", last_updated=today, effective_on=today, body="Terms"
    )
    with pytest.raises(policy_services.Conflict):
        policy_services.policy_create_draft(
            kind="terms", version="2026-07", last_updated=today, effective_on=today, body="T"
        )
    assert PolicyDocument.objects.filter(kind="terms", version="2026-07").count() == 1


def test_earlier_versions_stay_readable(staff):
    today = timezone.localdate()
    policy_services.policy_publish(
        document=PolicyDocumentFactory(
            version="2026-08-01",
            last_updated=today,
            effective_on=today,
            body="Privacy Policy\n\nThe newest text.",
            summary="Retention periods are listed.",
        ),
        actor=staff,
    )
    page = Client().get("/privacy").content.decode()
    assert "The newest text." in page and "2025-11-30" in page  # listed under Versions
    old = Client().get("/privacy?version=2025-11-30").content.decode()
    assert "This is an earlier version." in old and "The newest text." not in old
    assert Client().get("/privacy?version=no-such").status_code == 404

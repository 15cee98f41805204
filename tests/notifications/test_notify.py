import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from accounts.tenancy import tenant
from notifications.models import Notification, NotificationPreference
from notifications.services import notify
from notifications.types import NOTIFICATION_TYPES

pytestmark = pytest.mark.django_db


class FakeRouter:
    name = "Tower 3"

    def __str__(self):
        return self.name


SAMPLE_CONTEXT = {
    "router": FakeRouter(),
    "minutes": 12,
    "offline_minutes": 30,
    "amount": "25.00",
    "currency": "GHS",
    "reference": "MP123",
    "invoice_number": "NP-2026-0001",
    "due_date": dt.date(2026, 1, 31),
    "ticket": {"pk": 7, "subject": "Help"},
    "message": {"body": "We fixed it."},
    "expires_at": dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
    "scheduled_for": dt.datetime(2026, 2, 1, 9, 30, tzinfo=dt.UTC),
    "days_left": 7,
    "document_label": "privacy policy",
    "last_updated": dt.date(2026, 1, 1),
    "summary": "Clearer retention periods.",
}


@pytest.mark.parametrize("event", sorted(NOTIFICATION_TYPES))
def test_every_event_reaches_the_members_with_its_permission(
    event, org_a, owner_a, make_member, on_commit
):
    # given members of every role
    members = {role: make_member(org_a, role) for role in Role.values}
    kind = NOTIFICATION_TYPES[event]
    from accounts.roles import role_has_permission

    expected = {owner_a.email} | {
        user.email for role, user in members.items() if role_has_permission(role, kind.permission)
    }
    # when the event is notified
    with tenant(org_a), on_commit():
        result = notify(organization=org_a, event=event, context=SAMPLE_CONTEXT, url="/dashboard/")
    # then exactly those members get the email (HTML + text) and, where offered, the notice
    if kind.email:
        assert {m.to[0] for m in mail.outbox} == expected
        message = mail.outbox[0]
        assert message.alternatives
        assert "Alpha Wireless" in message.body
        assert "{{" not in message.body
        assert "{{" not in message.subject
    else:
        assert mail.outbox == []
    with tenant(org_a):
        in_app = set(Notification.objects.values_list("recipient__email", flat=True))
    assert in_app == (expected if kind.in_app else set())
    assert result == {"in_app": len(in_app), "emails": len(mail.outbox)}


def test_member_switches_off_an_operational_alert(client, org_a, owner_a, make_member, on_commit):
    tech = make_member(org_a, Role.TECHNICIAN)
    client.force_login(tech)
    # when the technician turns off router-offline emails but keeps the in-app notice
    response = client.post(
        reverse("notifications:preferences"),
        {
            "router.offline__in_app": "on",
            "router.online__email": "on",
            "router.online__in_app": "on",
        },
    )
    assert response.status_code == 302
    with tenant(org_a), on_commit():
        notify(organization=org_a, event="router.offline", context=SAMPLE_CONTEXT)
    # then only the owner is emailed; both get the in-app notice
    assert [m.to for m in mail.outbox] == [[owner_a.email]]
    with tenant(org_a):
        assert Notification.objects.filter(recipient=tech).count() == 1
        assert NotificationPreference.objects.get(user=tech, event="router.offline").email is False


def test_legal_notices_ignore_preferences_and_cannot_be_switched_off(
    client, org_a, owner_a, on_commit
):
    with tenant(org_a):
        NotificationPreference.objects.create(
            organization=org_a, user=owner_a, event="deletion.scheduled", email=False, in_app=False
        )
        with on_commit():
            notify(organization=org_a, event="deletion.scheduled", context=SAMPLE_CONTEXT)
    assert [m.to for m in mail.outbox] == [[owner_a.email]]
    client.force_login(owner_a)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "deletion" not in page.lower().split("always sent")[1]


def test_explicit_recipients_outside_the_organisation_are_dropped(
    org_a, org_b, owner_a, owner_b, on_commit
):
    with tenant(org_a), on_commit():
        result = notify(
            organization=org_a,
            event="export.ready",
            context=SAMPLE_CONTEXT,
            recipients=[owner_a, owner_b],
        )
    assert result["emails"] == 1
    assert [m.to for m in mail.outbox] == [[owner_a.email]]


def test_actor_is_not_notified_of_their_own_action(org_a, owner_a, make_member, on_commit):
    admin = make_member(org_a, Role.ADMIN)
    with tenant(org_a), on_commit():
        notify(organization=org_a, event="invoice.issued", context=SAMPLE_CONTEXT, actor=admin)
    assert [m.to for m in mail.outbox] == [[owner_a.email]]


def test_unknown_event_is_a_programming_error(org_a):
    with tenant(org_a), pytest.raises(ValueError, match="unknown notification event"):
        notify(organization=org_a, event="router.exploded")


def test_unread_count_in_top_bar_and_mark_read(client_a, org_a, owner_a):
    with tenant(org_a):
        notify(organization=org_a, event="router.offline", context=SAMPLE_CONTEXT, url="/support/")
        notify(organization=org_a, event="router.online", context=SAMPLE_CONTEXT)
        first = Notification.objects.filter(event="router.offline").get()
    page = client_a.get(reverse("dashboard")).content.decode()
    assert reverse("notifications:badge") in page  # the top bar loads the badge
    badge = client_a.get(reverse("notifications:badge")).content.decode()
    assert ">2</span>" in badge
    response = client_a.post(reverse("notifications:open", args=[first.pk]))
    assert response["Location"] == "/support/"
    badge = client_a.get(reverse("notifications:badge")).content.decode()
    assert ">1</span>" in badge
    client_a.post(reverse("notifications:read_all"))
    assert "data-unread-count" not in client_a.get(reverse("notifications:badge")).content.decode()


def test_notification_of_another_member_or_tenant_is_404(
    client, org_a, org_b, owner_a, owner_b, make_member
):
    other = make_member(org_a, Role.ADMIN)
    with tenant(org_a):
        notify(
            organization=org_a, event="router.offline", context=SAMPLE_CONTEXT, recipients=[other]
        )
        notice = Notification.objects.get()
    for user in (owner_a, owner_b):
        client.force_login(user)
        assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404
    with tenant(org_a):
        assert Notification.objects.get().read_at is None


def test_list_page_query_count(client_a, org_a, owner_a, django_assert_max_num_queries):
    with tenant(org_a):
        for _ in range(30):
            notify(organization=org_a, event="router.offline", context=SAMPLE_CONTEXT)
    with django_assert_max_num_queries(22):
        page = client_a.get(reverse("notifications:index")).content.decode()
    assert page.count("Tower 3") == 25  # first page

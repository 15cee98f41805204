from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from accounts.tenancy import tenant
from privacy.models import AccessLog, PrivacyRequest
from tests.privacy.factories import PrivacyRequestFactory

pytestmark = pytest.mark.django_db

PUBLIC = {
    "kind": "erasure",
    "requester_name": "Kofi Boateng",
    "requester_email": "kofi@example.test",
    "message": "I used voucher NET-1234-ABCD. Please delete my data.",
}


def test_a_customer_sends_a_request_from_the_public_page(org_a, owner_a, make_member, on_commit):
    admin = make_member(org_a, Role.ADMIN)
    support = make_member(org_a, Role.SUPPORT)
    mail.outbox.clear()
    anonymous = Client(enforce_csrf_checks=False)
    page = anonymous.get(f"/privacy-center/request/?org={org_a.slug}")
    assert org_a.name in page.content.decode()
    assert "data controller" in page.content.decode()

    with on_commit():
        response = anonymous.post(f"/privacy-center/request/?org={org_a.slug}", PUBLIC)

    assert response.status_code == 200
    with tenant(org_a):
        request = PrivacyRequest.objects.get()
    assert request.reference in response.content.decode()
    assert request.source == PrivacyRequest.Source.LANDING_PAGE
    assert request.due_at - request.received_at == timedelta(days=30)
    assert request.status == PrivacyRequest.Status.OPEN
    recipients = {address for message in mail.outbox for address in message.to}
    assert {owner_a.email, admin.email} <= recipients
    assert support.email not in recipients
    assert "kofi@example.test" not in mail.outbox[0].body  # no personal data in the email


def test_public_form_validates_and_changes_nothing_on_bad_input(org_a):
    anonymous = Client()
    bad = anonymous.post(
        f"/privacy-center/request/?org={org_a.slug}",
        {**PUBLIC, "requester_email": "", "requester_phone": ""},
    )
    assert "email address or a phone number" in bad.content.decode()
    unknown = anonymous.get("/privacy-center/request/?org=no-such-operator")
    assert unknown.status_code == 404
    with tenant(org_a):
        assert not PrivacyRequest.objects.exists()


def test_public_form_is_rate_limited_and_ignores_bots(org_a):
    anonymous = Client()
    url = f"/privacy-center/request/?org={org_a.slug}"
    anonymous.post(url, {**PUBLIC, "website": "http://spam.example"})
    for _n in range(6):
        response = anonymous.post(url, PUBLIC)
    assert "Too many requests" in response.content.decode()
    with tenant(org_a):
        assert PrivacyRequest.objects.count() == 5


def test_the_queue_lists_due_dates_and_flags_overdue(
    org_a, client_a, django_assert_max_num_queries
):
    with tenant(org_a):
        overdue = PrivacyRequestFactory(
            organization=org_a,
            received_at=timezone.now() - timedelta(days=31),
            due_at=timezone.now() - timedelta(days=1),
        )
        soon = PrivacyRequestFactory(organization=org_a)
        closed = PrivacyRequestFactory(
            organization=org_a, status=PrivacyRequest.Status.COMPLETED, outcome="Sent the copy."
        )
        for _n in range(30):
            PrivacyRequestFactory(organization=org_a)
    client_a.get("/dashboard/")
    with django_assert_max_num_queries(14):
        page = client_a.get("/privacy-center/requests/")
    body = page.content.decode()
    assert overdue.reference in body and "overdue" in body
    assert soon.reference in body or page.context["page_obj"].paginator.num_pages == 2
    assert closed.reference not in body
    assert page.context["page_obj"].object_list[0] == overdue  # earliest due first
    only_overdue = client_a.get("/privacy-center/requests/?state=overdue")
    assert list(only_overdue.context["page_obj"].object_list) == [overdue]
    closed_page = client_a.get("/privacy-center/requests/?state=closed")
    assert list(closed_page.context["page_obj"].object_list) == [closed]


def test_closing_needs_an_outcome_and_is_logged(org_a, owner_a, client_a):
    with tenant(org_a):
        request = PrivacyRequestFactory(organization=org_a)
    client_a.get(f"/privacy-center/requests/{request.pk}/")
    response = client_a.post(
        f"/privacy-center/requests/{request.pk}/close/", {"status": "completed", "outcome": ""}
    )
    assert response.status_code == 302
    with tenant(org_a):
        request.refresh_from_db()
        assert request.is_open
    client_a.post(
        f"/privacy-center/requests/{request.pk}/close/",
        {"status": "completed", "outcome": "Sent the export by email on 3 March."},
    )
    with tenant(org_a):
        request.refresh_from_db()
        assert request.status == PrivacyRequest.Status.COMPLETED
        assert request.handled_by == owner_a and request.closed_at is not None
        logged = set(
            AccessLog.objects.filter(target_type="privacy.PrivacyRequest").values_list(
                "action", flat=True
            )
        )
    assert {"view", "change"} <= logged


def test_roles_without_privacy_rights_cannot_touch_the_queue(org_a, make_member, client):
    with tenant(org_a):
        request = PrivacyRequestFactory(organization=org_a)
    for role in (Role.SUPPORT, Role.TECHNICIAN, Role.VIEWER):
        client.force_login(make_member(org_a, role))
        assert client.get("/privacy-center/requests/").status_code == 403
        response = client.post(
            f"/privacy-center/requests/{request.pk}/close/",
            {"status": "completed", "outcome": "Not allowed to do this."},
        )
        assert response.status_code == 403
    with tenant(org_a):
        request.refresh_from_db()
    assert request.is_open and request.outcome == ""


def test_staff_record_a_phone_request_with_the_day_it_arrived(org_a, client_a):
    arrived = timezone.localdate() - timedelta(days=10)
    response = client_a.post(
        "/privacy-center/requests/new/",
        {
            "kind": "access",
            "requester_name": "Esi Owusu",
            "requester_phone": "+233 20 765 4321",
            "received_on": arrived.isoformat(),
        },
    )
    assert response.status_code == 302
    with tenant(org_a):
        request = PrivacyRequest.objects.get()
    assert request.source == PrivacyRequest.Source.DASHBOARD
    assert request.received_at.date() == arrived
    assert request.days_left in (19, 20)


def test_the_dashboard_shows_waiting_requests_to_those_who_handle_them(
    org_a, client_a, make_member, client
):
    assert 'id="privacy-widget"' not in client_a.get("/dashboard/").content.decode()
    with tenant(org_a):
        PrivacyRequestFactory(organization=org_a, due_at=timezone.now() - timedelta(days=1))
    page = client_a.get("/dashboard/").content.decode()
    assert 'id="privacy-widget"' in page and "1 overdue" in page
    client.force_login(make_member(org_a, Role.TECHNICIAN))
    assert 'id="privacy-widget"' not in client.get("/dashboard/").content.decode()


def test_the_requester_hears_the_outcome_by_email_or_sms(
    org_a, owner_a, client_a, on_commit, settings
):
    from nettportal import sms

    settings.SMS_BACKEND = "nettportal.sms.LocmemBackend"

    with tenant(org_a):
        by_email = PrivacyRequestFactory(organization=org_a, requester_email="ama@example.test")
        by_phone = PrivacyRequestFactory(
            organization=org_a, requester_email="", requester_phone="+233201234567"
        )
    mail.outbox.clear()
    sms.outbox.clear()

    # a refused close (no outcome) tells nobody
    with on_commit():
        client_a.post(
            f"/privacy-center/requests/{by_email.pk}/close/", {"status": "completed", "outcome": ""}
        )
    assert mail.outbox == [] and sms.outbox == []

    with on_commit():
        client_a.post(
            f"/privacy-center/requests/{by_email.pk}/close/",
            {"status": "completed", "outcome": "We deleted your account and usage records."},
        )
        client_a.post(
            f"/privacy-center/requests/{by_phone.pk}/close/",
            {"status": "rejected", "outcome": "We hold no data for that number."},
        )

    (email,) = mail.outbox
    assert email.to == ["ama@example.test"]
    assert by_email.reference in email.subject and "completed" in email.subject
    assert "We deleted your account and usage records." in email.body
    (text,) = sms.outbox
    assert text.to == "+233201234567"
    assert by_phone.reference in text.body and "We hold no data for that number." in text.body

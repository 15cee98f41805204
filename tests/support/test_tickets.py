import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from nettportal.errors import Conflict
from notifications.models import Notification
from support import services
from support.models import Ticket, TicketAttachment, TicketEvent, TicketMessage
from tests.support.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_operator_opens_ticket_with_attachment_and_staff_is_emailed(
    client_a, org_a, owner_a, staff, png, on_commit
):
    # given an operator on the new-ticket form
    with on_commit():
        # when they submit a subject, category, priority, message and a screenshot
        response = client_a.post(
            reverse("support:ticket_create"),
            {
                "subject": "Router offline since noon",
                "category": "routers",
                "priority": "high",
                "body": "Our core router stopped answering.",
                "attachments": [png()],
            },
        )
    # then the ticket, its first message, attachment and history exist
    with tenant(org_a):
        ticket = Ticket.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("support:ticket_detail", args=[ticket.pk])
        assert (ticket.category, ticket.priority, ticket.status) == ("routers", "high", "open")
        attachment = TicketAttachment.objects.get()
        assert attachment.content_type == "image/png"
        assert attachment.message.ticket == ticket
        assert list(TicketEvent.objects.values_list("kind", flat=True)) == ["opened"]
    # and staff got an email naming the organisation and linking the admin queue
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [staff.email]
    assert "Alpha Wireless" in email.subject
    assert "Router offline since noon" in email.subject
    assert f"/admin/support/ticket/{ticket.pk}/change/" in email.body


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.exe", b"MZ\x90\x00", "only"),
        ("fake.png", b"<script>alert(1)</script>", "not really a .png"),
        ("notes.txt", b"\xff\xfe\x00\x00binary", "not a"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_attachment_is_refused_and_nothing_is_saved(client_a, org_a, name, content, message):
    response = client_a.post(
        reverse("support:ticket_create"),
        {
            "subject": "Help",
            "category": "other",
            "priority": "normal",
            "body": "Hi",
            "attachments": [SimpleUploadedFile(name, content)],
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    with tenant(org_a):
        assert not Ticket.objects.exists()
        assert not TicketAttachment.objects.exists()


def test_oversized_attachment_is_refused(client_a, org_a, settings):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.txt", b"a" * 2048)
    response = client_a.post(
        reverse("support:ticket_create"),
        {
            "subject": "Help",
            "category": "other",
            "priority": "normal",
            "body": "Hi",
            "attachments": [big],
        },
    )
    assert "larger than" in response.content.decode()
    with tenant(org_a):
        assert not Ticket.objects.exists()


def test_failed_service_removes_stored_files(org_a, owner_a, png, settings, tmp_path, monkeypatch):
    # given private files stored in a fresh directory
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a)

        # when the reply fails after its attachment was written to disk
        def broken_event(*args, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(services, "_event", broken_event)
        with pytest.raises(RuntimeError):
            services.ticket_reply(ticket=ticket, actor=owner_a, body="See file", files=[png()])
        # then neither the row nor the file is left behind
        assert not TicketAttachment.objects.exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_staff_reply_emails_operator_notifies_and_waits_on_customer(
    org_a, owner_a, staff, on_commit
):
    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a)
    mail.outbox.clear()
    with all_tenants(), on_commit():
        services.ticket_reply(ticket=ticket, actor=staff, body="Reboot it, please.", as_staff=True)
    with tenant(org_a):
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.WAITING
        notice = Notification.objects.get(recipient=owner_a)
        assert notice.event == "ticket.replied"
        assert notice.url == reverse("support:ticket_detail", args=[ticket.pk])
    assert [m.to for m in mail.outbox] == [[owner_a.email]]
    assert "Reboot it, please." in mail.outbox[0].body
    assert f"#{ticket.pk}" in mail.outbox[0].subject


def test_internal_note_is_never_shown_or_sent_to_operator(
    client_a, org_a, owner_a, staff, on_commit
):
    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a)
    mail.outbox.clear()
    with all_tenants(), on_commit():
        services.ticket_reply(
            ticket=ticket,
            actor=staff,
            body="Customer seems confused",
            as_staff=True,
            is_internal=True,
        )
    page = client_a.get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()
    assert "Customer seems confused" not in page
    assert mail.outbox == []
    api = client_a.get(f"/api/v1/support/tickets/{ticket.pk}/messages/").json()
    assert "Customer seems confused" not in str(api)


def test_operator_reply_reopens_and_emails_assignee(client_a, org_a, owner_a, staff, on_commit):
    with tenant(org_a):
        ticket = TicketFactory(
            organization=org_a, opened_by=owner_a, assignee=staff, status=Ticket.Status.WAITING
        )
    with on_commit():
        response = client_a.post(
            reverse("support:ticket_detail", args=[ticket.pk]), {"body": "Still broken."}
        )
    assert response.status_code == 302
    with tenant(org_a):
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.OPEN
        kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["replied", "status"]
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_closed_ticket_refuses_operator_reply(org_a, owner_a):
    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a, status=Ticket.Status.CLOSED)
        with pytest.raises(Conflict):
            services.ticket_reply(ticket=ticket, actor=owner_a, body="Hello?")
        assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_viewer_cannot_open_or_reply_and_nothing_changes(client, org_a, owner_a, make_member):
    viewer = make_member(org_a, Role.VIEWER)
    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a)
    client.force_login(viewer)
    assert client.get(reverse("support:index")).status_code == 200
    assert client.post(reverse("support:ticket_create"), {"subject": "x"}).status_code == 403
    reply = client.post(reverse("support:ticket_detail", args=[ticket.pk]), {"body": "x"})
    assert reply.status_code == 403
    with tenant(org_a):
        assert Ticket.objects.count() == 1
        assert TicketMessage.objects.count() == 1


def test_attachment_served_only_to_own_organisation(client, org_a, org_b, owner_a, owner_b, png):
    with tenant(org_a):
        ticket = services.ticket_open(
            organization=org_a,
            actor=owner_a,
            subject="Logs",
            category="routers",
            priority="normal",
            body="See file",
            files=[png("router.png")],
        )
        attachment = TicketAttachment.objects.get()
    url = reverse("support:attachment_download", args=[ticket.pk, attachment.pk])
    client.force_login(owner_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(owner_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_staff_downloads_attachment_in_admin_and_access_is_logged(
    client, org_a, owner_a, staff, png
):
    from privacy.models import AccessLog

    with tenant(org_a):
        services.ticket_open(
            organization=org_a,
            actor=owner_a,
            subject="Logs",
            category="routers",
            priority="normal",
            body="See file",
            files=[png()],
        )
        attachment = TicketAttachment.objects.get()
    client.force_login(staff)
    response = client.get(reverse("admin:support_ticket_attachment", args=[attachment.pk]))
    assert response.status_code == 200
    with tenant(org_a):
        entry = AccessLog.objects.get(target_type="support.TicketAttachment")
        assert entry.via == AccessLog.Via.ADMIN
        assert entry.actor == staff


def test_staff_reply_through_admin_queue(client, org_a, owner_a, staff, on_commit):
    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a)
    client.force_login(staff)
    queue = client.get("/admin/support/ticket/?status__exact=open&queue=unassigned")
    assert ticket.subject in queue.content.decode()
    mail.outbox.clear()
    with on_commit():
        response = client.post(
            f"/admin/support/ticket/{ticket.pk}/change/",
            {
                "status": "open",
                "priority": "urgent",
                "category": "routers",
                "assignee": staff.pk,
                "reply": "We are on it.",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant(org_a):
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.assignee, ticket.status) == ("urgent", staff, "waiting")
        kinds = sorted(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
        assert kinds == ["assigned", "priority", "replied", "status"]
    assert [m.to for m in mail.outbox] == [[owner_a.email]]


def test_ticket_list_filters_and_query_count(
    client_a, org_a, owner_a, django_assert_max_num_queries
):
    with tenant(org_a):
        for index in range(15):
            TicketFactory(organization=org_a, opened_by=owner_a, subject=f"Issue {index}")
        TicketFactory(organization=org_a, opened_by=owner_a, subject="Old one", status="closed")
    with django_assert_max_num_queries(22):
        page = client_a.get(reverse("support:index")).content.decode()
    assert "Issue 14" in page
    assert "Old one" not in page
    closed = client_a.get(reverse("support:index") + "?status=closed").content.decode()
    assert "Old one" in closed
    assert "Issue 1<" not in closed


def test_ticket_detail_query_count(client_a, org_a, owner_a, django_assert_max_num_queries):
    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a)
        for index in range(10):
            services.ticket_reply(ticket=ticket, actor=owner_a, body=f"More {index}")
    with django_assert_max_num_queries(24):
        response = client_a.get(reverse("support:ticket_detail", args=[ticket.pk]))
    assert "More 9" in response.content.decode()


def test_empty_state(client_a):
    page = client_a.get(reverse("support:index")).content.decode()
    assert "No tickets here" in page

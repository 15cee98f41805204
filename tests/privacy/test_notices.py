"""Privacy notices go through ``notify``: one in-app notice (where the type has
one) and one branded email per recipient, for the right organisation only,
never for a refused or rolled-back action, and never a second, direct email."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.tenancy import tenant
from nettportal.errors import ValidationFailed
from notifications.models import Notification
from privacy.models import AccountDeletion
from privacy.services import deletion as deletion_services
from privacy.services import exports as export_services
from privacy.services import policies as policy_services
from tests.accounts.factories import MembershipFactory
from tests.integrations.factories import run_then_roll_back
from tests.privacy.factories import PolicyDocumentFactory

pytestmark = pytest.mark.django_db


def _notices(org, event):
    with tenant(org):
        return sorted(
            Notification.objects.filter(event=event).values_list("recipient__email", flat=True)
        )


def _mail_to(address):
    return [message for message in mail.outbox if address in message.to]


def _request_deletion(org, owner):
    with tenant(org):
        return deletion_services.organization_deletion_request(
            organization=org, actor=owner, confirm_name=org.name
        )


def test_a_finished_export_notifies_the_requester_once_with_the_signed_link(
    org_a, org_b, owner_a, owner_b, make_member, on_commit
):
    admin = make_member(org_a, Role.ADMIN)  # has privacy.view but did not ask
    mail.outbox.clear()
    with on_commit(), tenant(org_a):
        export = export_services.organization_export_request(organization=org_a, actor=owner_a)
    with tenant(org_a):
        export.refresh_from_db()
    assert export.status == "ready"

    assert _notices(org_a, "export.ready") == [owner_a.email]
    [message] = mail.outbox
    assert message.to == [owner_a.email] and message.alternatives
    assert export_services.export_download_path(export) in message.body
    assert "?t=" in message.body and "{{" not in message.body
    with tenant(org_a):
        notice = Notification.objects.get(event="export.ready")
    assert notice.url == export_services.export_download_path(export)
    assert _mail_to(admin.email) == []
    assert _notices(org_b, "export.ready") == []


def test_scheduling_notifies_every_owner_once_and_a_refusal_nobody(
    org_a, org_b, owner_a, owner_b, make_member, on_commit
):
    second_owner = MembershipFactory(organization=org_a, role=Role.OWNER).user
    admin = make_member(org_a, Role.ADMIN)
    mail.outbox.clear()
    with tenant(org_a), pytest.raises(ValidationFailed), on_commit():
        deletion_services.organization_deletion_request(
            organization=org_a, actor=owner_a, confirm_name="not the name"
        )
    assert mail.outbox == [] and _notices(org_a, "deletion.scheduled") == []
    with tenant(org_a):
        run_then_roll_back(lambda: _request_deletion(org_a, owner_a))
    assert _notices(org_a, "deletion.scheduled") == []

    with on_commit():
        _request_deletion(org_a, owner_a)

    owners = sorted([owner_a.email, second_owner.email])
    assert _notices(org_a, "deletion.scheduled") == owners
    assert sorted(address for m in mail.outbox for address in m.to) == owners
    assert "will be deleted on" in mail.outbox[0].subject and mail.outbox[0].alternatives
    assert _mail_to(admin.email) == []
    assert _notices(org_b, "deletion.scheduled") == [] and _mail_to(owner_b.email) == []


def test_reminders_and_the_cancellation_are_notified_once_each(
    org_a, org_b, owner_a, owner_b, on_commit
):
    deletion = _request_deletion(org_a, owner_a)
    mail.outbox.clear()
    seven_days_before = deletion.scheduled_for - timedelta(days=6, hours=23)
    with on_commit():
        assert deletion_services.deletion_reminders_send(now=seven_days_before) == 1
        assert deletion_services.deletion_reminders_send(now=seven_days_before) == 0
    assert _notices(org_a, "deletion.reminder") == [owner_a.email]
    [reminder] = mail.outbox
    assert "7 days" in reminder.subject

    mail.outbox.clear()
    with on_commit(), tenant(org_a):
        deletion_services.organization_deletion_cancel(deletion=deletion, actor=owner_a)
    assert _notices(org_a, "deletion.cancelled") == [owner_a.email]
    [cancelled] = mail.outbox
    assert "cancelled" in cancelled.subject and cancelled.to == [owner_a.email]
    assert _notices(org_b, "deletion.reminder") == _notices(org_b, "deletion.cancelled") == []


def test_the_final_notice_reaches_the_owner_whose_account_is_gone(
    org_a, org_b, owner_a, owner_b, on_commit
):
    name = org_a.name
    deletion = _request_deletion(org_a, owner_a)
    AccountDeletion.objects.filter(pk=deletion.pk).update(
        scheduled_for=timezone.now() - timedelta(minutes=1)
    )
    mail.outbox.clear()
    with on_commit():
        assert deletion_services.organization_deletion_execute(deletion_id=deletion.pk) == "done"
        # a second run finds nothing to do and tells nobody again
        assert deletion_services.organization_deletion_execute(deletion_id=deletion.pk) == (
            "skipped"
        )

    assert not User.objects.filter(pk=owner_a.pk).exists()
    [final] = mail.outbox
    assert final.to == [owner_a.email]
    assert final.subject.endswith(f"{name} was deleted") and final.alternatives
    assert name in final.body and "Deleted organisation" not in final.body
    assert _notices(org_a, "deletion.done") == []  # no in-app notice: nobody is left to read it
    assert _mail_to(owner_b.email) == []


def test_a_significant_policy_change_reaches_each_owner_once(
    org_a, org_b, owner_a, owner_b, make_member, on_commit, django_user_model
):
    # the owner of A also owns B: one notice, in one organisation
    MembershipFactory(organization=org_b, role=Role.OWNER, user=owner_a)
    viewer = make_member(org_a, Role.VIEWER)
    staff = django_user_model.objects.create_superuser("staff@nettportal.test", "Staff-Pass-26")
    draft = PolicyDocumentFactory(version="2026-05-01")
    mail.outbox.clear()

    with on_commit():
        policy_services.policy_publish(document=draft, actor=staff)
    assert policy_services.policy_notify_owners(document_id=draft.pk) == 0  # already done

    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [owner_a.email, owner_b.email]
    )
    notices = _notices(org_a, "policy.changed") + _notices(org_b, "policy.changed")
    assert sorted(notices) == sorted([owner_a.email, owner_b.email])
    assert _mail_to(viewer.email) == []
    message = _mail_to(owner_a.email)[0]
    assert draft.summary in message.body and "/privacy" in message.body

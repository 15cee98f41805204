from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core import mail
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from privacy.datasets import organization_rows
from privacy.erasure import _retained_referrers
from privacy.models import (
    AccessLog,
    AccountDeletion,
    ConsentEvent,
    LegalHold,
    RetentionRule,
    Topic,
)
from privacy.registry import installed_data_classes
from privacy.services import deletion as deletion_services
from privacy.services.consent import consent_set
from privacy.services.policies import policies_accept_current
from privacy.tasks import deletions_execute_due_task
from tests.accounts.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _schedule(world, on_commit=None):
    owner = world.users[Role.OWNER]
    with tenant(world.organization):
        return deletion_services.organization_deletion_request(
            organization=world.organization, actor=owner, confirm_name=world.organization.name
        )


def _make_due(deletion):
    AccountDeletion.objects.filter(pk=deletion.pk).update(
        scheduled_for=timezone.now() - timedelta(minutes=1)
    )


def _all_rows_text(exclude_labels=()):
    """Every value of every row of every table, as one lower-case string."""
    chunks = []
    with all_tenants():
        for model in apps.get_models():
            if model._meta.label in exclude_labels:
                continue
            for row in model._base_manager.values_list():
                chunks.append(" ".join(str(value) for value in row))
    return "\n".join(chunks).lower()


def _stored_files(world):
    """(storage, name) of every uploaded file of the organisation's rows."""
    from django.db import models

    files = []
    with all_tenants():
        for data_class in installed_data_classes():
            fields = [
                f for f in data_class.model._meta.concrete_fields if isinstance(f, models.FileField)
            ]
            for obj in organization_rows(data_class, world.organization):
                files += [(f.storage, f.value_from_object(obj).name) for f in fields]
    return [(storage, name) for storage, name in files if name]


def _snapshot(world):
    rows = {}
    with all_tenants():
        for data_class in installed_data_classes():
            for obj in organization_rows(data_class, world.organization):
                rows[(data_class.label, obj.pk)] = model_to_dict(obj)
    return rows


# --- scheduling -----------------------------------------------------------------------------


def test_scheduling_needs_reauthentication_and_the_exact_name(worlds, client):
    world_a, _world_b = worlds
    owner = world_a.users[Role.OWNER]
    client.force_login(owner)

    # when the owner asks without having re-entered the password
    response = client.post(
        "/privacy-center/deletion/schedule/", {"confirm_name": world_a.organization.name}
    )
    # then they are sent to re-authenticate and nothing is scheduled yet
    assert response.status_code == 302
    assert "/account/reauthenticate/" in response["Location"]
    assert not AccountDeletion.objects.exists()

    # when they re-authenticate, the suspended request is carried out
    response = client.post(response["Location"], {"password": TEST_PASSWORD})
    assert response["Location"] == "/privacy-center/deletion/"
    deletion = AccountDeletion.objects.get()
    assert deletion.status == AccountDeletion.Status.SCHEDULED
    assert deletion.scheduled_for - deletion.requested_at == timedelta(days=30)
    world_a.organization.refresh_from_db()
    assert world_a.organization.status == Organization.Status.PENDING_DELETION


def test_a_wrong_name_changes_nothing(worlds, client):
    world_a, _world_b = worlds
    with pytest.raises(deletion_services.ValidationFailed), tenant(world_a.organization):
        deletion_services.organization_deletion_request(
            organization=world_a.organization,
            actor=world_a.users[Role.OWNER],
            confirm_name="something else",
        )
    assert not AccountDeletion.objects.exists()
    world_a.organization.refresh_from_db()
    assert world_a.organization.status == Organization.Status.ACTIVE


def test_only_an_owner_can_schedule(worlds, client):
    world_a, _world_b = worlds
    client.force_login(world_a.users[Role.ADMIN])
    response = client.post(
        "/privacy-center/deletion/schedule/", {"confirm_name": world_a.organization.name}
    )
    assert response.status_code == 403
    assert not AccountDeletion.objects.exists()
    with pytest.raises(deletion_services.PermissionDenied), tenant(world_a.organization):
        deletion_services.organization_deletion_request(
            organization=world_a.organization,
            actor=world_a.users[Role.ADMIN],
            confirm_name=world_a.organization.name,
        )
    assert not AccountDeletion.objects.exists()


def test_scheduling_suspends_at_once_and_emails_the_owners(worlds, client, on_commit):
    world_a, world_b = worlds
    second_owner = MembershipFactory(organization=world_a.organization, role=Role.OWNER).user
    mail.outbox.clear()
    with on_commit():
        _schedule(world_a)
    recipients = {address for message in mail.outbox for address in message.to}
    assert {world_a.users[Role.OWNER].email, second_owner.email} <= recipients
    assert "will be deleted on" in mail.outbox[0].subject

    # the dashboard, other areas and the API are closed; the privacy centre is open
    client.force_login(world_a.users[Role.ADMIN])
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == "/privacy-center/deletion/"
    assert client.get("/settings/members/")["Location"] == "/privacy-center/deletion/"
    api = client.get("/api/v1/anything/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "organization_suspended"
    page = client.get("/privacy-center/deletion/")
    assert page.status_code == 200
    assert "will be deleted on" in page.content.decode()
    assert client.get("/privacy-center/exports/").status_code == 200
    # organisation B is untouched
    client.force_login(world_b.users[Role.OWNER])
    assert client.get("/dashboard/").status_code == 200


def test_owner_cancels_and_the_organisation_is_back(worlds, client, on_commit):
    world_a, _world_b = worlds
    deletion = _schedule(world_a)
    client.force_login(world_a.users[Role.ADMIN])
    # an admin may not cancel
    assert client.post("/privacy-center/deletion/cancel/").status_code == 403
    deletion.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.SCHEDULED

    client.force_login(world_a.users[Role.OWNER])
    mail.outbox.clear()
    with on_commit():
        response = client.post("/privacy-center/deletion/cancel/", follow=True)
    assert "was cancelled" in response.content.decode()
    deletion.refresh_from_db()
    world_a.organization.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.CANCELLED
    assert world_a.organization.status == Organization.Status.ACTIVE
    assert any("cancelled" in message.subject for message in mail.outbox)
    assert client.get("/dashboard/").status_code == 200
    # and the deletion job no longer touches it
    _make_due(deletion)
    deletions_execute_due_task()
    assert Organization.objects.filter(pk=world_a.organization.pk, name__contains="Alpha").exists()


def test_reminders_go_out_once_each(worlds, on_commit):
    world_a, _world_b = worlds
    deletion = _schedule(world_a)
    mail.outbox.clear()
    with on_commit():
        assert deletion_services.deletion_reminders_send(now=deletion.requested_at) == 0
        seven = deletion.scheduled_for - timedelta(days=6, hours=23)
        assert deletion_services.deletion_reminders_send(now=seven) == 1
        assert deletion_services.deletion_reminders_send(now=seven) == 0
        one = deletion.scheduled_for - timedelta(hours=20)
        assert deletion_services.deletion_reminders_send(now=one) == 1
        assert deletion_services.deletion_reminders_send(now=one) == 0
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 2
    assert "7 days" in subjects[0] and "1 day" in subjects[1]


# --- carrying it out ---------------------------------------------------------------------------


def test_deletion_leaves_only_pseudonymised_legal_rows(worlds, on_commit, settings):
    """The completeness test: after the job, count the organisation's rows in
    every table; only retained legal records and the pseudonymised
    organisation row may remain, and A's data appears nowhere."""
    world_a, world_b = worlds
    settings.PRIVACY_CHUNK_SIZE = 3  # many chunks even for a small world
    owner = world_a.users[Role.OWNER]
    # a member of both A and B stays (without A), everyone else of A goes
    shared = UserFactory(email="works-for-both@example.test", full_name="Both")
    MembershipFactory(organization=world_a.organization, role=Role.SUPPORT, user=shared)
    MembershipFactory(organization=world_b.organization, role=Role.VIEWER, user=shared)
    Authenticator.objects.create(user=owner, type=Authenticator.Type.TOTP, data={"s": "x"})
    consent_set(user=owner, topic=Topic.PRODUCT_NEWS, granted=True, source="preferences")
    policies_accept_current(user=owner, ip_address="10.1.1.1")
    users_a = [user.pk for user in world_a.users.values()] + [shared.pk]
    before_b = _snapshot(world_b)
    files_a, files_b = _stored_files(world_a), _stored_files(world_b)
    deletion = _schedule(world_a)
    _make_due(deletion)
    mail.outbox.clear()

    with on_commit():
        deletions_execute_due_task()

    deletion.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.COMPLETED
    assert "notify" not in deletion.summary and "member_user_ids" not in deletion.summary
    organization = Organization.objects.get(pk=world_a.organization.pk)
    kept_business_records = set()  # retained rows whose other fields are business data
    with all_tenants():
        for data_class in installed_data_classes():
            remaining = organization_rows(data_class, organization).count()
            if remaining and data_class.label != "accounts.Organization":
                kept_business_records.add(data_class.label)
            if data_class.label == "accounts.Organization":
                assert remaining == 1
            elif data_class.erasure == "keep_for_law" and data_class.owner == "organization":
                if data_class.personal_fields:
                    for row in organization_rows(data_class, organization).values(
                        *data_class.personal_fields
                    ):
                        assert world_a.marker.lower() not in str(row).lower(), data_class.label
            elif remaining and _retained_referrers(data_class.model):
                # rows a kept legal record cannot do without (the customer of a
                # credit-ledger entry, the package a payment bought) stay, with their
                # personal fields pseudonymised
                if data_class.personal_fields:
                    for row in organization_rows(data_class, organization).values(
                        *data_class.personal_fields
                    ):
                        assert world_a.marker.lower() not in str(row).lower(), data_class.label
            else:
                assert remaining == 0, f"{data_class.label}: {remaining} rows left"
    # users of A who belong nowhere else are gone with their own rows
    assert list(User.objects.filter(pk__in=users_a).values_list("pk", flat=True)) == [shared.pk]
    with all_tenants():
        assert Membership.objects.filter(user=shared).count() == 1
    assert not Authenticator.objects.filter(user_id=owner.pk).exists()
    assert not ConsentEvent.objects.filter(user_id=owner.pk).exists()
    # the organisation row is a pseudonymised, suspended shell
    assert organization.status == Organization.Status.SUSPENDED
    assert organization.name == f"Deleted organisation {organization.pk}"
    assert organization.email.endswith("@erased.invalid")
    assert organization.phone == "" or "erased" in organization.phone
    # A's marker is nowhere in the database; B's data is exactly as before
    text = _all_rows_text(exclude_labels=kept_business_records)
    assert world_a.marker.lower() not in text
    assert _snapshot(world_b) == before_b
    # uploaded files (ticket attachments...) went with their rows; B's stay
    assert files_a and files_b  # the worlds upload some (support attachments)
    assert all(not storage.exists(name) for storage, name in files_a)
    assert all(storage.exists(name) for storage, name in files_b)
    # the final email went to the owner captured when the job started
    # (by address: the members are gone), naming the organisation as it was
    final = [m for m in mail.outbox if m.subject.endswith("was deleted")]
    assert len(final) == 1 and final[0].to == [owner.email]
    assert world_a.organization.name in final[0].subject
    assert world_a.organization.name in final[0].body
    days = settings.BACKUP_RETENTION_DAYS
    assert f"Copies in our backups expire within {days} days." in final[0].body


def test_the_final_email_names_no_backup_period_while_backups_are_kept(worlds, on_commit):
    """Staff switched backup rotation off (admin → Retention rules): backups are
    kept, so the email must not promise they expire within some number of days."""
    world_a, _world_b = worlds
    RetentionRule.objects.update_or_create(
        retention_class="backups", defaults={"is_enabled": False}
    )
    deletion = _schedule(world_a)
    _make_due(deletion)
    mail.outbox.clear()
    with on_commit():
        deletions_execute_due_task()
    [final] = [m for m in mail.outbox if m.subject.endswith("was deleted")]
    html = final.alternatives[0][0]
    for text in (final.body, html):
        assert "expire within" not in text
        assert "may remain in our backups for a limited time" in text


def test_a_legal_hold_stops_the_deletion(worlds, on_commit):
    world_a, _world_b = worlds
    staff = User.objects.create_user("staff@example.test", "x", is_staff=True)
    deletion = _schedule(world_a)
    _make_due(deletion)
    deletion_services.legal_hold_place(
        organization=world_a.organization, actor=staff, reason="Court order 2026/17 received"
    )

    with on_commit():
        deletions_execute_due_task()
        outcome = deletion_services.organization_deletion_execute(deletion_id=deletion.pk)

    assert outcome == "skipped"
    deletion.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.SCHEDULED
    with tenant(world_a.organization):
        assert Membership.objects.count() == len(Role.values)

    # releasing the hold lets the due deletion proceed
    hold = LegalHold.objects.get()
    deletion_services.legal_hold_release(hold=hold, actor=staff, note="Case closed")
    with on_commit():
        deletions_execute_due_task()
    deletion.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.COMPLETED


def test_a_hold_placed_midway_pauses_and_the_run_resumes_after(worlds, monkeypatch, settings):
    world_a, _world_b = worlds
    settings.PRIVACY_CHUNK_SIZE = 1
    staff = User.objects.create_user("staff2@example.test", "x", is_staff=True)
    deletion = _schedule(world_a)
    _make_due(deletion)
    checks = {"n": 0}

    def expires_after_a_few(self):
        checks["n"] += 1
        return checks["n"] > 4

    monkeypatch.setattr("privacy.erasure.Budget.expired", expires_after_a_few)
    assert (
        deletion_services.organization_deletion_execute(deletion_id=deletion.pk, budget_seconds=1)
        == "continue"
    )
    deletion.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.RUNNING
    assert sum(deletion.summary["deleted"].values()) > 0

    hold = deletion_services.legal_hold_place(
        organization=world_a.organization, actor=staff, reason="Investigation by regulator"
    )
    assert deletion_services.organization_deletion_execute(deletion_id=deletion.pk) == "skipped"
    deletion.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.SCHEDULED
    # a part-done deletion cannot be cancelled
    with pytest.raises(deletion_services.Conflict):
        deletion_services.organization_deletion_cancel(
            deletion=deletion, actor=world_a.users[Role.OWNER]
        )

    deletion_services.legal_hold_release(hold=hold, actor=staff)
    monkeypatch.undo()
    assert deletion_services.organization_deletion_execute(deletion_id=deletion.pk) == "done"
    with all_tenants():
        assert not Membership.objects.filter(organization=world_a.organization).exists()
        assert not AccessLog.objects.filter(organization=world_a.organization).exists()


def test_not_due_yet_does_nothing(worlds):
    world_a, _world_b = worlds
    deletion = _schedule(world_a)
    assert deletion_services.organization_deletion_execute(deletion_id=deletion.pk) == "skipped"
    with tenant(world_a.organization):
        assert Membership.objects.count() == len(Role.values)


def test_leftovers_go_after_the_retention_period(worlds, on_commit):
    world_a, _world_b = worlds
    deletion = _schedule(world_a)
    _make_due(deletion)
    with on_commit():
        deletions_execute_due_task()
    deletion.refresh_from_db()
    # the world holds payments (billing), so pseudonymised legal records are kept
    assert deletion.legal_records_until is not None
    assert deletion.legal_records_until > timezone.now() + timedelta(days=365 * 6)

    later = timezone.now() + timedelta(days=31)
    assert deletion_services.deleted_organization_leftovers_purge(now=later, leftover_days=30) == 0
    assert Organization.objects.filter(pk=world_a.organization.pk).exists()
    after_legal_period = deletion.legal_records_until + timedelta(days=1)
    assert (
        deletion_services.deleted_organization_leftovers_purge(
            now=after_legal_period, leftover_days=30
        )
        == 1
    )
    assert not Organization.objects.filter(pk=world_a.organization.pk).exists()
    deletion.refresh_from_db()
    assert deletion.organization_ref == world_a.organization.pk
    assert deletion.leftovers_purged_at is not None

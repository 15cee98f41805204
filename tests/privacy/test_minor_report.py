import pytest
from django.core import mail
from django.test import Client

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from privacy.models import AccountDeletion, MinorDataReport, PrivacyRequest
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db

REPORT = {
    "reporter_name": "Abena Parent",
    "reporter_email": "parent@example.test",
    "concerns": "user_account",
    "where": "kid@example.test",
    "details": "My 15-year-old signed up for an account with this email.",
}


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("safety@nettportal.test", "Staff-Pass-2026")


def test_anyone_can_report_and_staff_are_told(staff, on_commit):
    mail.outbox.clear()
    with on_commit():
        response = Client().post("/privacy-center/report-a-minor/", REPORT)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    report = MinorDataReport.objects.get()
    assert report.status == MinorDataReport.Status.NEW
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"safety@nettportal.test", "parent@example.test"} <= recipients
    staff_mail = next(m for m in mail.outbox if "safety@nettportal.test" in m.to)
    assert "kid@example.test" not in staff_mail.body  # details stay in the admin


def test_a_report_without_details_is_refused(db):
    response = Client().post("/privacy-center/report-a-minor/", {**REPORT, "details": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not MinorDataReport.objects.exists()


def test_staff_delete_the_reported_account(client, staff):
    kid = MembershipFactory(role=Role.VIEWER, user__email="kid@example.test").user
    report = MinorDataReport.objects.create(**{**REPORT, "user": kid})
    client.force_login(staff)
    assert client.get("/admin/privacy/minordatareport/").status_code == 200

    client.post(
        "/admin/privacy/minordatareport/",
        {"action": "delete_reported_user", "_selected_action": [report.pk]},
    )

    report.refresh_from_db()
    assert report.status == MinorDataReport.Status.DELETED
    assert report.handled_by == staff and report.closed_at is not None
    assert not User.objects.filter(email="kid@example.test").exists()


def test_an_owner_account_takes_its_organisation_along(staff):
    membership = MembershipFactory(role=Role.OWNER, user__email="young-owner@example.test")
    other = MembershipFactory(role=Role.VIEWER, user=membership.user)
    report = MinorDataReport.objects.create(**{**REPORT, "user": membership.user})
    from privacy.services.reports import minor_report_delete_user

    minor_report_delete_user(report=report, user=membership.user, actor=staff)

    deletion = AccountDeletion.objects.get(organization=membership.organization)
    assert deletion.status == AccountDeletion.Status.SCHEDULED
    membership.organization.refresh_from_db()
    assert membership.organization.status == Organization.Status.PENDING_DELETION
    membership.user.refresh_from_db()
    assert membership.user.is_active is False
    with all_tenants():
        assert not Membership.objects.filter(pk=other.pk).exists()


def test_staff_forward_a_customer_record_report_to_the_operator(client, staff, org_a):
    report = MinorDataReport.objects.create(
        **{**REPORT, "concerns": "customer_record", "organization": org_a}
    )
    client.force_login(staff)
    client.post(
        "/admin/privacy/minordatareport/",
        {"action": "forward_to_operator", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert report.status == MinorDataReport.Status.FORWARDED
    with tenant(org_a):
        request = PrivacyRequest.objects.get()
    assert request.kind == PrivacyRequest.Kind.ERASURE
    assert request.source == PrivacyRequest.Source.PLATFORM
    assert report.privacy_request == request

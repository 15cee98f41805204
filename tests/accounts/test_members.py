import re
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from accounts.roles import Role
from accounts.services import invitation_token
from accounts.tenancy import all_tenants, tenant


def _invite(client, on_commit, email="new@example.test", role=Role.SUPPORT):
    with on_commit():
        return client.post("/settings/members/invite/", {"email": email, "role": role})


@pytest.mark.django_db
def test_owner_invites_and_invitee_signs_up_through_the_link(
    client_a, org_a, on_commit, mailoutbox, client
):
    response = _invite(client_a, on_commit)
    assert response.status_code == 302
    link = re.search(r"/invitations/accept/\S+/", mailoutbox[-1].body).group(0)

    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and b"Create your account" in page.content
    response = client.post(
        link,
        {
            "full_name": "Kofi Boateng",
            "password1": "Strong-Pass-2026",
            "password2": "Strong-Pass-2026",
            "is_business_adult": "on",
            "accept_policies": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    with tenant(org_a):
        assert Membership.objects.get(user=user).role == Role.SUPPORT
        assert Invitation.objects.get().accepted_at is not None
    assert user.emailaddress_set.get().verified
    assert user.policy_acceptances.count() == 3
    # the link cannot be used twice
    assert client.get(link).status_code == 400


@pytest.mark.django_db
def test_existing_user_accepts_after_logging_in(
    client_a, org_a, org_b, owner_b, on_commit, client, mailoutbox
):
    _invite(client_a, on_commit, email=owner_b.email, role=Role.ADMIN)
    link = re.search(r"/invitations/accept/\S+/", mailoutbox[-1].body).group(0)
    client.force_login(owner_b)
    assert client.post(link).status_code == 302
    with tenant(org_a):
        assert Membership.objects.get(user=owner_b).role == Role.ADMIN
    with tenant(org_b):
        assert Membership.objects.get(user=owner_b).role == Role.OWNER


@pytest.mark.django_db
def test_invitation_for_another_email_is_refused(
    client_a, org_a, on_commit, client, owner_b, mailoutbox
):
    _invite(client_a, on_commit, email="someone@example.test")
    link = re.search(r"/invitations/accept/\S+/", mailoutbox[-1].body).group(0)
    client.force_login(owner_b)
    client.post(link)
    with tenant(org_a):
        assert not Membership.objects.filter(user=owner_b).exists()


@pytest.mark.django_db
def test_expired_or_tampered_invitation_links_are_rejected(client, org_a, owner_a):
    with tenant(org_a):
        invitation = Invitation.objects.create(
            organization=org_a,
            email="x@example.test",
            role=Role.VIEWER,
            invited_by=owner_a,
            expires_at=timezone.now() + timedelta(days=7),
        )
    token = invitation_token(invitation)
    assert client.get(f"/invitations/accept/{token}x/").status_code == 400
    old = signing.TimestampSigner(salt="accounts.invitation").sign_object(
        {"i": invitation.pk, "o": org_a.pk}
    )
    assert client.get(f"/invitations/accept/{old}/").status_code == 200
    with all_tenants():
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    response = client.get(f"/invitations/accept/{token}/")
    assert response.status_code == 400
    assert b"no longer valid" in response.content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "role": "viewer"}, "valid email"),
        ({"email": "a@example.test", "role": "emperor"}, "valid choice"),
    ],
)
@pytest.mark.django_db
def test_bad_invite_input_changes_nothing(client_a, org_a, data, message):
    response = client_a.post("/settings/members/invite/", data)
    assert response.status_code == 200
    assert message in response.content.decode().lower()
    with tenant(org_a):
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_inviting_an_existing_member_or_twice_is_refused(client_a, org_a, owner_a, on_commit):
    response = _invite(client_a, on_commit, email=owner_a.email)
    assert "already a member" in response.content.decode()
    _invite(client_a, on_commit, email="twice@example.test")
    response = _invite(client_a, on_commit, email="twice@example.test")
    assert "already waiting" in response.content.decode()
    with tenant(org_a):
        assert Invitation.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.TECHNICIAN, Role.VIEWER])
@pytest.mark.django_db
def test_only_owners_and_admins_manage_members(client, org_a, owner_a, make_member, role):
    user = make_member(org_a, role)
    client.force_login(user)
    assert (
        client.post(
            "/settings/members/invite/", {"email": "z@example.test", "role": "viewer"}
        ).status_code
        == 403
    )
    with tenant(org_a):
        owner_membership = Membership.objects.get(user=owner_a)
    assert client.post(f"/settings/members/{owner_membership.pk}/remove/").status_code == 403
    with tenant(org_a):
        assert not Invitation.objects.exists()
        assert Membership.objects.filter(user=owner_a).exists()


@pytest.mark.django_db
def test_last_owner_cannot_be_removed_or_demoted(client_a, org_a, owner_a):
    with tenant(org_a):
        membership = Membership.objects.get(user=owner_a)
    client_a.post(f"/settings/members/{membership.pk}/remove/")
    client_a.post(f"/settings/members/{membership.pk}/role/", {"role": Role.ADMIN})
    with tenant(org_a):
        membership.refresh_from_db()
        assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_admin_cannot_touch_owners_but_can_change_other_roles(client, org_a, owner_a, make_member):
    admin = make_member(org_a, Role.ADMIN)
    viewer = make_member(org_a, Role.VIEWER)
    client.force_login(admin)
    with tenant(org_a):
        owner_membership = Membership.objects.get(user=owner_a)
        viewer_membership = Membership.objects.get(user=viewer)
    client.post(f"/settings/members/{owner_membership.pk}/role/", {"role": Role.VIEWER})
    client.post(f"/settings/members/{viewer_membership.pk}/role/", {"role": Role.OWNER})
    client.post(f"/settings/members/{viewer_membership.pk}/role/", {"role": Role.TECHNICIAN})
    with tenant(org_a):
        assert Membership.objects.get(user=owner_a).role == Role.OWNER
        assert Membership.objects.get(user=viewer).role == Role.TECHNICIAN


@pytest.mark.django_db
def test_owner_removes_a_member_after_confirmation(client_a, org_a, make_member):
    member = make_member(org_a, Role.SUPPORT)
    with tenant(org_a):
        membership = Membership.objects.get(user=member)
    confirm = client_a.get(f"/settings/members/{membership.pk}/remove/")
    assert confirm.status_code == 200 and member.email in confirm.content.decode()
    with tenant(org_a):
        assert Membership.objects.filter(pk=membership.pk).exists()
    client_a.post(f"/settings/members/{membership.pk}/remove/")
    with tenant(org_a):
        assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_members_page_query_count_is_constant(
    client_a, org_a, make_member, django_assert_max_num_queries
):
    client_a.get("/dashboard/")  # the session's first request records it; not what we measure
    for role in [Role.ADMIN, Role.SUPPORT, Role.VIEWER] * 5:
        make_member(org_a, role)
    with django_assert_max_num_queries(12):  # incl. the database cache (no Redis)
        assert client_a.get("/settings/members/").status_code == 200

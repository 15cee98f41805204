from accounts.models import Invitation, Membership, Organization, User
from accounts.tenancy import all_tenants


def user_memberships(user: User) -> list[Membership]:
    """Every organisation ``user`` belongs to. A user's own memberships span
    tenants by nature (the organisation switcher), so this is the one place
    that reads them unscoped."""
    if not user.is_authenticated:
        return []
    with all_tenants():
        return list(
            Membership.objects.filter(user=user)
            .select_related("organization")
            .order_by("organization__name")
        )


def user_membership_for(user: User, organization_id: int) -> Membership | None:
    with all_tenants():
        return (
            Membership.objects.filter(user=user, organization_id=organization_id)
            .select_related("organization")
            .first()
        )


def member_list(*, organization: Organization):
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__email")
    )


def invitation_pending_list(*, organization: Organization):
    from django.utils import timezone

    return Invitation.objects.filter(
        organization=organization,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def user_session_list(*, request) -> list[dict]:
    """The request user's live sessions, newest activity first, described for people."""
    from allauth.usersessions.models import UserSession

    from accounts.services import describe_user_agent

    sessions = UserSession.objects.purge_and_list(request.user)
    sessions.sort(key=lambda item: item.last_seen_at, reverse=True)
    return [
        {
            "session": item,
            "is_current": item.session_key == request.session.session_key,
            **describe_user_agent(item.user_agent),
        }
        for item in sessions
    ]

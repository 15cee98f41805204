from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from accounts import tenancy
from accounts.selectors import user_membership_for, user_memberships

ACTIVE_ORG_SESSION_KEY = "active_organization_id"


class TenantMiddleware:
    """Activates the request user's current organisation for the request.

    The organisation comes from the session (chosen with the switcher) and is
    only used when the user is a member of it; otherwise the user's first
    organisation is taken. Staff in the Django admin get unscoped access. The
    tenant is always cleared when the response leaves, even on errors.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + getattr(settings, "ADMIN_URL", "admin/")

    def __call__(self, request):
        request.organization = None
        request.membership = None
        token = tenancy.clear()
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                if user.is_staff and request.path.startswith(self.admin_prefix):
                    tenancy.activate_unscoped()  # staff admin sees all tenants
                else:
                    self._activate_membership(request, user)
            return self.get_response(request)
        finally:
            tenancy.deactivate(token)

    @staticmethod
    def _activate_membership(request, user):
        membership = None
        org_id = request.session.get(ACTIVE_ORG_SESSION_KEY)
        if org_id:
            membership = user_membership_for(user, org_id)
        if membership is None:
            memberships = user_memberships(user)
            membership = memberships[0] if memberships else None
            if membership is not None:
                request.session[ACTIVE_ORG_SESSION_KEY] = membership.organization_id
        if membership is not None:
            request.membership = membership
            request.organization = membership.organization
            tenancy.activate(membership.organization)


class RequireTwoFactorMiddleware:
    """Sends members of an organisation that requires 2FA to set it up first."""

    EXEMPT_PREFIXES = (
        "/account/",
        "/static/",
        "/healthz",
        "/privacy",
        "/terms",
        "/dpa",
        "/invitations/",
        "/i18n/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organization = getattr(request, "organization", None)
        if (
            organization is not None
            and organization.require_2fa
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and not request.path.startswith("/api/")
            and not _has_totp(request.user)
        ):
            return redirect(reverse("mfa_activate_totp") + "?required=1")
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class UserSessionActivityMiddleware:
    """Records each login session's IP, browser and last-seen time for "Your sessions".

    allauth's own middleware writes the session row on every request; we write at
    most once a minute per session (the list shows "last seen", not a click log).
    """

    INTERVAL = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and user.is_authenticated
            and session is not None
            and session.session_key
        ):
            from django.core.cache import cache

            if cache.add(f"usersession-seen:{session.session_key}", 1, self.INTERVAL):
                from allauth.usersessions.models import UserSession

                UserSession.objects.create_from_request(request, user=user, session=session)
        return self.get_response(request)

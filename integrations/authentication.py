"""DRF authentication with organisation API tokens.

``Authorization: Bearer np_…`` → the token's organisation becomes the active
tenant for the request (so every scoped query sees only it), ``request.user``
is the member who created the token, and ``request.auth`` is an
:class:`ApiTokenAuth` whose ``has_scope(permission)`` answers
``accounts.api_permissions.HasOrgPermission``. A token can do what its
scopes allow *and* its creator's current role allows: demoting or removing
the creator narrows or stops the token.
"""

from dataclasses import dataclass

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts import tenancy
from accounts.roles import role_has_permission

# Imported by DRF while ``rest_framework.views`` loads, so this module imports
# application code (which imports DRF back) only inside functions.
KEYWORDS = (b"bearer", b"token")


@dataclass(frozen=True)
class ApiTokenAuth:
    token: object  # integrations.models.ApiToken
    membership: object

    @property
    def organization(self):
        return self.token.organization

    def has_scope(self, permission: str) -> bool:
        return permission in self.token.permissions and role_has_permission(
            self.membership.role, permission
        )

    def __str__(self):
        return f"api token {self.token.prefix}"


def _client_ip(request):
    from privacy.access_log import _client_ip as client_ip

    return client_ip(request)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        from accounts.selectors import user_membership_for
        from integrations.services import api_token_find, api_token_touch

        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            self._fail(request, "malformed")
        try:
            plaintext = header[1].decode("ascii")
        except UnicodeDecodeError:
            self._fail(request, "malformed")
        token = api_token_find(plaintext)
        if token is None:
            self._fail(request, "unknown_or_revoked")
        membership = (
            user_membership_for(token.created_by, token.organization_id)
            if token.created_by_id
            else None
        )
        if membership is None or not token.created_by.is_active:
            self._fail(request, "owner_left")
        tenancy.activate(token.organization)  # TenantMiddleware resets it after the response
        django_request = request._request
        django_request.organization = token.organization
        django_request.membership = membership
        django_request.api_token = token
        api_token_touch(token=token, ip_address=_client_ip(django_request))
        return token.created_by, ApiTokenAuth(token=token, membership=membership)

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'

    @staticmethod
    def _fail(request, reason: str):
        from insights.security import security_event_record

        security_event_record(kind="api_auth_failed", request=request._request, detail=reason)
        raise exceptions.AuthenticationFailed("Invalid, expired or revoked API token.")

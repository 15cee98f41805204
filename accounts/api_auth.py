from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication


class TenantSessionAuthentication(SessionAuthentication):
    """Dashboard session for the API: ``TenantMiddleware`` already activated the
    member's organisation, so API views see only that tenant."""


class TenantSessionScheme(SessionScheme):
    """OpenAPI description of the session cookie authentication."""

    target_class = "accounts.api_auth.TenantSessionAuthentication"

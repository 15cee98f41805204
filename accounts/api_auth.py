from rest_framework.authentication import SessionAuthentication


class TenantSessionAuthentication(SessionAuthentication):
    """Dashboard session for the API: ``TenantMiddleware`` already activated the
    member's organisation, so API views see only that tenant."""

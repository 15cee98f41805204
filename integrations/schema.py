"""OpenAPI (drf-spectacular) glue: how our authentication is described, and
schema generation that can inspect tenant-owned querysets."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator

from accounts.tenancy import all_tenants


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An organisation API token (`Authorization: Bearer np_…`), created under "
                "API & webhooks. It acts for its organisation with the scopes it was given "
                "(`<area>:read`, `<area>:write`) and never more than its creator's role."
            ),
        }


class DashboardSessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.TenantSessionAuthentication"
    name = "DashboardSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class TenantSchemaGenerator(SchemaGenerator):
    """Views' ``get_queryset`` is called to learn the model; with the
    fail-closed manager that needs access by name (no rows are read)."""

    def get_schema(self, request=None, public=False):
        with all_tenants():
            return super().get_schema(request=request, public=public)

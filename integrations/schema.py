"""OpenAPI (drf-spectacular) glue: how our authentication is described, and
schema generation that can inspect tenant-owned querysets."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
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


class NonBlankCharFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "integrations.rest.NonBlankCharField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "pattern": r"\S"}


class TenantSchemaGenerator(SchemaGenerator):
    """Views' ``get_queryset`` is called to learn the model; with the
    fail-closed manager that needs access by name (no rows are read)."""

    def get_schema(self, request=None, public=False):
        with all_tenants():
            return super().get_schema(request=request, public=public)


ERROR_RESPONSES = {
    "400": "The request has invalid fields (see `error.fields`).",
    "401": "No valid API token or session.",
    "403": "The token's scopes (or the member's role) do not allow this.",
    "404": "No such object in your organisation.",
    "429": "Too many requests for this token; retry after `Retry-After` seconds.",
}


def add_error_responses(result, generator, request, public):
    """Document the one error shape (nettportal/errors.py) on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": True},
                },
            }
        },
    }
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                if status == "400" and method == "get" and "parameters" not in operation:
                    continue
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result

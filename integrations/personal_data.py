from privacy.registry import register

# Deliveries still being tried are never swept, whatever their age.
_IN_FLIGHT = ["pending", "retrying"]

register(
    "integrations.ApiToken",
    category="integrations",
    personal_fields=("last_used_ip",),
    secret_fields=("token_hash",),
    notes="Only a SHA-256 digest of each token is stored.",
)
register(
    "integrations.WebhookEndpoint",
    category="integrations",
    secret_fields=("secret",),
    notes="Signing secrets are encrypted at rest and never exported.",
)
register(
    "integrations.WebhookDelivery",
    category="integrations",
    personal_fields=("payload",),
    retention="webhook_deliveries",
    retention_field="created_at",
    retention_keep={"status__in": _IN_FLIGHT},
    notes="Payloads carry what the granted scope covers; finished deliveries are swept "
    "after WEBHOOK_DELIVERY_RETENTION_DAYS.",
)
register(
    "integrations.WebhookAttempt",
    category="integrations",
    retention="webhook_deliveries",
    retention_field="at",
    retention_keep={"delivery__status__in": _IN_FLIGHT},
)

from privacy.registry import register

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
    notes="Payloads carry what the granted scope covers; pruned after WEBHOOK_DELIVERY_RETENTION_DAYS.",
)
register("integrations.WebhookAttempt", category="integrations", retention="webhook_deliveries")

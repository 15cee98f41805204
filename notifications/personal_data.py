from privacy.registry import register

register(
    "notifications.Notification",
    category="notifications",
    personal_fields=("recipient",),
    retention="notifications",
    retention_field="created_at",
    notes="In-app notices; titles name routers/amounts, not end customers.",
)
register("notifications.NotificationPreference", category="members")

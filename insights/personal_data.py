from privacy.registry import register

register(
    "insights.AnalyticsEvent",
    category="analytics",
    personal_fields=("user",),
    retention="analytics",
    retention_field="at",
    export=True,
    notes="Only with analytics consent; route patterns, never raw paths. Raw rows kept "
    "ANALYTICS_RAW_RETENTION_DAYS (the daily aggregates stay).",
)
register(
    "insights.DailyUsage",
    category="analytics",
    notes="Counts per organisation and day; no person is identifiable.",
)
register(
    "insights.RequestLog",
    category="security_log",
    personal_fields=("ip_address", "user"),
    retention="security_log",
    retention_field="at",
    export=False,
    notes="Security monitoring (legitimate interest); kept SECURITY_LOG_RETENTION_DAYS.",
)

from privacy.registry import register

register(
    "insights.AnalyticsEvent",
    category="analytics",
    personal_fields=("user",),
    retention="analytics",
    export=True,
    notes="Only with analytics consent; route patterns, never raw paths. Raw rows kept "
    "ANALYTICS_RAW_RETENTION_DAYS.",
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
    export=False,
    notes="Security monitoring (legitimate interest); kept SECURITY_LOG_RETENTION_DAYS.",
)

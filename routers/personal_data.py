"""What routers store about people (the personal-data registry)."""

from privacy.registry import register

register(
    "routers.Router",
    category="routers",
    secret_fields=("password",),
    notes="Router addresses, settings and status: the operator's network data. The API "
    "password is encrypted at rest and never exported or shown.",
)
register("routers.RouterInterface", category="routers")
register(
    "routers.RouterStatusSample",
    category="router_history",
    retention="router_history",
    retention_field="taken_at",
    notes="Swept after ROUTER_HISTORY_RETENTION_DAYS by the privacy retention sweep.",
)
register(
    "routers.InterfaceTrafficSample",
    category="router_history",
    retention="router_history",
    retention_field="taken_at",
    notes="Swept after ROUTER_HISTORY_RETENTION_DAYS by the privacy retention sweep.",
)
register(
    "routers.ActiveSession",
    category="usage",
    personal_fields=("username", "address", "mac_address"),
    retention="sessions",
    notes="End customers online right now: replaced by every poll and emptied when the "
    "router is offline, so nothing older than one poll interval is kept.",
)
register(
    "routers.RouterEvent",
    category="router_history",
    retention="router_events",
    retention_field="created_at",
    notes="Online/offline/reboot history without personal data; swept after "
    "ROUTER_EVENT_RETENTION_DAYS.",
)

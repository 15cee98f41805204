from privacy.registry import register

register(
    "privacy.PolicyDocument",
    category="policies",
    erasure="keep_for_law",
    notes="Platform documents, not organisation data.",
    export=False,
)
register(
    "privacy.PolicyAcceptance",
    category="consent",
    personal_fields=("ip_address",),
    erasure="keep_for_law",
    notes="Proof of acceptance is kept with legal records.",
)
register(
    "privacy.AccessLog",
    category="access_log",
    personal_fields=("actor_label", "ip_address"),
    retention="access_log",
)

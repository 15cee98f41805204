from privacy.registry import register

register(
    "accounts.Organization",
    category="organization",
    personal_fields=("email", "phone", "address_line", "city"),
    erasure="pseudonymise",
    notes="Pseudonymised (not deleted) so retained transaction records keep their owner.",
)
register(
    "accounts.User",
    category="members",
    personal_fields=("email", "full_name", "last_login"),
    secret_fields=("password",),
    erasure="delete",
    organization_path="memberships__organization",
    notes="Deleted with the organisation unless the user belongs to another one.",
)
register("accounts.Membership", category="members", erasure="delete")
register("accounts.Invitation", category="members", personal_fields=("email",))
register(
    "accounts.KnownDevice",
    category="devices",
    personal_fields=("label",),
    secret_fields=("fingerprint",),
    organization_path=None,
    notes="A member's own devices: in their personal export, not the organisation's.",
)
register(
    "account.EmailAddress",
    category="members",
    personal_fields=("email",),
    organization_path="user__memberships__organization",
)
register(
    "account.EmailConfirmation",
    category="members",
    export=False,
    secret_fields=("key",),
    notes="Short-lived verification keys.",
    user_path="email_address__user",
)
register(
    "mfa.Authenticator",
    category="members",
    export=False,
    secret_fields=("data",),
    notes="TOTP secrets and recovery codes: never exported.",
)
register(
    "usersessions.UserSession",
    category="sessions",
    personal_fields=("ip", "user_agent"),
    secret_fields=("session_key",),
    retention="sessions",
    retention_field="last_seen_at",
    organization_path=None,
    notes="A member's login sessions: in their personal export, not the organisation's.",
)

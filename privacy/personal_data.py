from privacy.registry import register

register(
    "privacy.PolicyDocument",
    category="policies",
    export=False,
    erasure="keep_for_law",
    organization_path=None,
    notes="Platform documents, not organisation data.",
)
register(
    "privacy.PolicyAcceptance",
    category="consent",
    personal_fields=("ip_address",),
    organization_path="user__memberships__organization",
    notes="Proof of a member's acceptance; goes with the user.",
)
register(
    "privacy.AccessLog",
    category="access_log",
    personal_fields=("actor_label", "ip_address"),
    retention="access_log",
    retention_field="at",
)
register(
    "privacy.DataExport",
    category="exports",
    retention="exports",
    retention_field="created_at",
    erasure_hook="privacy.services.exports.export_files_remove_hook",
    notes="Export records; the hook removes the ZIP file with the row.",
)
register(
    "privacy.PrivacyRequest",
    category="privacy_requests",
    personal_fields=("requester_name", "requester_email", "requester_phone", "message", "outcome"),
    notes="Kept with the organisation as evidence that requests were answered.",
)
register(
    "privacy.AccountDeletion",
    category="platform",
    export=False,
    erasure="keep_for_law",
    organization_path=None,
    notes="Proof that a deletion happened: ids, dates and counts only.",
)
register(
    "privacy.LegalHold",
    category="platform",
    export=False,
    erasure="keep_for_law",
    organization_path=None,
    personal_fields=("reason", "release_note"),
    notes="Staff record; removed with a deleted organisation's leftovers.",
)
register(
    "privacy.RetentionRule",
    category="platform",
    export=False,
    organization_path=None,
)
register(
    "privacy.RetentionPurge",
    category="platform",
    export=False,
    organization_path=None,
    retention="access_log",
    retention_field="started_at",
)
register(
    "privacy.MarketingConsent",
    category="consent",
    organization_path="user__memberships__organization",
)
register(
    "privacy.ConsentEvent",
    category="consent",
    personal_fields=("ip_address",),
    organization_path="user__memberships__organization",
)
register(
    "privacy.MarketingCampaign",
    category="platform",
    export=False,
    organization_path=None,
)
register(
    "privacy.MinorDataReport",
    category="platform",
    export=False,
    organization_path=None,
    user_path=None,  # the reported account, not the owner of the report
    personal_fields=("reporter_name", "reporter_email", "where", "details", "outcome"),
    retention="privacy_reports",
    retention_field="created_at",
    notes="Staff-only reports about a minor's data.",
)

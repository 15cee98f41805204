from privacy.registry import register

register(
    "support.Ticket",
    category="support",
    personal_fields=("subject",),
    notes="Support communications are kept while the account exists (policy §1).",
)
register("support.TicketMessage", category="support", personal_fields=("body",))
register(
    "support.TicketAttachment",
    category="support",
    personal_fields=("file", "original_name"),
    notes="Private files under PRIVATE_STORAGE_ROOT/support; deleted with the organisation.",
)
register("support.TicketEvent", category="support")

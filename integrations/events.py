"""Webhook events other apps emit with ``integrations.services.webhook_emit``.

Each event needs one scope: an endpoint receives an event only while the
operator has granted that scope to it, so an integration never sees data of
an area it was not given. Add new events here (and document the payload in
the README's Webhooks section).
"""

WEBHOOK_EVENTS: dict[str, dict] = {
    "payment.paid": {"scope": "billing:read", "label": "A payment was received"},
    "voucher.redeemed": {"scope": "vouchers:read", "label": "A voucher was redeemed"},
    "voucher.expired": {"scope": "vouchers:read", "label": "A voucher expired"},
    "router.offline": {"scope": "routers:read", "label": "A router went offline"},
    "router.online": {"scope": "routers:read", "label": "A router came back online"},
    "customer.created": {"scope": "customers:read", "label": "A customer was created"},
    "customer.suspended": {"scope": "customers:read", "label": "A customer was suspended"},
    "ticket.replied": {"scope": "support:read", "label": "Platform staff replied to a ticket"},
}
# Sent by "Send test event"; needs no scope and is never subscribed to.
TEST_EVENT = "webhook.test"


def event_choices():
    return [(name, f"{name} — {meta['label']}") for name, meta in WEBHOOK_EVENTS.items()]


def required_scope(event: str) -> str | None:
    if event == TEST_EVENT:
        return None
    return WEBHOOK_EVENTS[event]["scope"]

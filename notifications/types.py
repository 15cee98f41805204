"""The catalogue of notifications. One entry per event; its email templates are
``templates/emails/notifications/<slug>{_subject.txt,.txt,.html}`` where
``slug`` is the event with dots turned into underscores.

* ``permission`` — by default every member whose role has it receives the
  notice (callers may name the recipients instead).
* ``operational`` — an alert members may switch off per channel on their
  notification settings page. Legal and account notices (deletion, policy
  changes, exports one asked for) are not optional.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NotificationType:
    event: str
    label: str
    permission: str
    operational: bool = True
    email: bool = True
    in_app: bool = True

    @property
    def slug(self):
        return self.event.replace(".", "_")

    @property
    def template(self):
        return f"notifications/{self.slug}"


_TYPES = [
    NotificationType("router.offline", "A router has been offline for a while", "routers.view"),
    NotificationType("router.online", "A router is back online", "routers.view"),
    NotificationType("payment.received", "A payment was received", "billing.view", email=False),
    NotificationType("invoice.issued", "A NettPortal invoice was issued", "billing.manage"),
    NotificationType("ticket.replied", "Support replied to a ticket", "support.view"),
    NotificationType("export.ready", "A data export is ready", "privacy.view", operational=False),
    NotificationType(
        "deletion.scheduled", "Account deletion scheduled", "org.view", operational=False
    ),
    NotificationType(
        "deletion.reminder", "Account deletion reminder", "org.view", operational=False
    ),
    NotificationType(
        "deletion.cancelled", "Account deletion cancelled", "org.view", operational=False
    ),
    NotificationType(
        "deletion.done", "Account deleted", "org.view", operational=False, in_app=False
    ),
    NotificationType(
        "policy.changed", "Our privacy policy or terms changed", "org.view", operational=False
    ),
]
NOTIFICATION_TYPES: dict[str, NotificationType] = {t.event: t for t in _TYPES}


def notification_type(event: str) -> NotificationType:
    try:
        return NOTIFICATION_TYPES[event]
    except KeyError:
        raise ValueError(
            f"unknown notification event {event!r}; add it to notifications/types.py"
        ) from None


def operational_types() -> list[NotificationType]:
    return [t for t in _TYPES if t.operational]

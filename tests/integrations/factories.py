from accounts.tenancy import tenant
from integrations.services import api_token_create, webhook_endpoint_create


def make_token(organization, user, scopes, name="Integration"):
    with tenant(organization):
        return api_token_create(organization=organization, actor=user, name=name, scopes=scopes)


def make_endpoint(organization, user, url, events=("router.offline",), scopes=("routers:read",)):
    with tenant(organization):
        return webhook_endpoint_create(
            organization=organization,
            actor=user,
            url=url,
            events=list(events),
            scopes=list(scopes),
        )


# An address nothing listens on: the event tests count the delivery rows an action
# queues; they do not run the after-commit sends unless they bring a Receiver.
QUIET_URL = "http://127.0.0.1:9/hooks"


def subscribe(organization, user, *events, url=QUIET_URL):
    """An endpoint of ``organization`` subscribed to ``events`` with the scopes they need."""
    from integrations.events import required_scope

    return make_endpoint(
        organization,
        user,
        url,
        events=events,
        scopes=sorted({required_scope(event) for event in events}),
    )


def delivered(organization, event):
    """Payloads of ``event`` queued for ``organization``, oldest first."""
    from integrations.models import WebhookDelivery

    with tenant(organization):
        return list(
            WebhookDelivery.objects.filter(event=event)
            .order_by("pk")
            .values_list("payload", flat=True)
        )


class _CallerFailed(Exception):
    pass


def run_then_roll_back(action):
    """Run ``action()`` inside a transaction that then fails, as a caller's would."""
    from django.db import transaction

    try:
        with transaction.atomic():
            action()
            raise _CallerFailed
    except _CallerFailed:
        pass

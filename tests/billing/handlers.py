"""Real fulfilment handlers for tests: they write rows (customer events), no mocks."""

import threading
import time

from billing import fulfilment
from customers.models import CustomerEvent

router_offline = threading.Event()


def record_delivery(payment):
    """Writes one CustomerEvent per call: counting them counts deliveries."""
    if router_offline.is_set():
        raise fulfilment.FulfilmentRetry("The router is offline")
    time.sleep(0.02)  # widen the window a double delivery would need
    event = CustomerEvent.objects.create(
        organization_id=payment.organization_id,
        customer=payment.customer,
        kind=CustomerEvent.Kind.SERVICE,
        message=f"Delivered {payment.reference}",
    )
    return {"event_id": event.pk, "display": {"label": "Your code", "value": f"CODE-{event.pk}"}}


def crash(payment):
    raise RuntimeError("boom")

"""Running numbers per organisation (receipts, invoices) without gaps or repeats."""

from django.db import IntegrityError, transaction
from django.db.models import F

from billing.models import DocumentCounter


def next_number(*, organization_id: int, kind: str) -> int:
    """The next number of ``kind``; the row stays locked until the caller commits."""
    with transaction.atomic():
        counters = DocumentCounter.objects.filter(organization_id=organization_id, kind=kind)
        if not counters.update(value=F("value") + 1):
            try:
                with transaction.atomic():
                    DocumentCounter.objects.create(
                        organization_id=organization_id, kind=kind, value=1
                    )
                    return 1
            except IntegrityError:
                counters.update(value=F("value") + 1)
        return counters.values_list("value", flat=True).get()

"""Running numbers per organisation (receipts, invoices) without gaps or repeats."""

from django.db import IntegrityError, transaction

from billing.models import DocumentCounter


def next_number(*, organization_id: int, kind: str) -> int:
    """The next number of ``kind``; the row stays locked until the caller commits.

    Call it as late as possible in a transaction: every payment of the
    organisation that is being numbered waits for this row.
    """
    counters = DocumentCounter.objects.filter(organization_id=organization_id, kind=kind)
    with transaction.atomic(savepoint=False):
        current = counters.select_for_update().values_list("value", flat=True).first()
        if current is None:
            try:
                with transaction.atomic():
                    DocumentCounter.objects.create(
                        organization_id=organization_id, kind=kind, value=1
                    )
                return 1
            except IntegrityError:  # created a moment ago by another transaction
                current = counters.select_for_update().values_list("value", flat=True).get()
        counters.update(value=current + 1)
        return current + 1

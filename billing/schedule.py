"""Beat entries for billing (no model imports: read while Celery configures itself)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "billing-reconcile-payments": {
        "task": "billing.tasks.reconcile_payments_task",
        "schedule": 60.0,
    },
    "billing-retry-fulfilments": {
        "task": "billing.tasks.retry_fulfilments_task",
        "schedule": 60.0,
    },
    "billing-invoice-cycle": {
        "task": "billing.tasks.billing_cycle_all_task",
        "schedule": crontab(hour=6, minute=0),
    },
    "billing-platform-invoices": {
        # Early on the 1st, and again on the 2nd in case the 1st was missed (idempotent).
        "task": "billing.tasks.issue_platform_invoices_all_task",
        "schedule": crontab(day_of_month="1,2", hour=2, minute=30),
    },
}

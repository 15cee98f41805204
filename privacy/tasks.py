"""Privacy background work: exports, deletions, reminders, retention, emails.

Tasks take ids, are idempotent (each claims its work with a conditional
update or row lock) and log counts, never personal data. Long work runs under
a time budget below the task's time limit and re-enqueues itself to continue.
"""

import logging

from celery import shared_task
from django.conf import settings

from accounts.tenancy import all_tenants, tenant_task

logger = logging.getLogger(__name__)


@shared_task(time_limit=3600, soft_time_limit=3500, acks_late=True)
@tenant_task
def export_build_task(org_id: int, export_id: int) -> None:
    from privacy.services.exports import export_build

    export_build(export_id=export_id)


@shared_task(time_limit=300, soft_time_limit=280)
def exports_expire_task() -> None:
    from privacy.services.exports import exports_expire

    counts = exports_expire()
    logger.info(
        "exports: %(expired)s expired, %(failed)s stale failed, %(orphans)s orphan files", counts
    )


@shared_task(time_limit=300, soft_time_limit=280)
def deletion_reminders_task() -> None:
    from privacy.services.deletion import deletion_reminders_send

    with all_tenants():  # platform-wide schedule
        sent = deletion_reminders_send()
    logger.info("deletion reminders sent: %s", sent)


@shared_task(time_limit=300, soft_time_limit=280)
def deletions_execute_due_task() -> None:
    from privacy.services.deletion import deletions_due

    with all_tenants():  # platform-wide schedule
        due = deletions_due()
    for deletion_id in due:
        organization_delete_task.delay(deletion_id)
    logger.info("deletions due: %s", len(due))


@shared_task(time_limit=600, soft_time_limit=570, acks_late=True)
def organization_delete_task(deletion_id: int) -> str:
    from privacy.services.deletion import organization_deletion_execute

    outcome = organization_deletion_execute(
        deletion_id=deletion_id, budget_seconds=settings.PRIVACY_TASK_BUDGET_SECONDS
    )
    logger.info("deletion %s: %s", deletion_id, outcome)
    if outcome == "continue":
        organization_delete_task.delay(deletion_id)
    return outcome


@shared_task(time_limit=600, soft_time_limit=570)
def retention_sweep_task() -> None:
    from privacy.services.retention import retention_sweep

    result = retention_sweep(budget_seconds=settings.PRIVACY_TASK_BUDGET_SECONDS)
    logger.info("retention sweep: %s rows purged", sum(result["purged"].values()))
    if not result["finished"]:
        retention_sweep_task.delay()


@shared_task(time_limit=1800, soft_time_limit=1750)
def policy_notify_owners_task(document_id: int) -> None:
    from privacy.services.policies import policy_notify_owners

    sent = policy_notify_owners(document_id=document_id)
    logger.info("policy %s: %s owners notified", document_id, sent)


@shared_task(time_limit=3600, soft_time_limit=3500)
def marketing_campaign_send_task(campaign_id: int) -> None:
    from privacy.services.consent import marketing_campaign_deliver

    marketing_campaign_deliver(campaign_id=campaign_id)

"""Celery tasks: thin wrappers that activate the tenant and call one service."""

import logging

from celery import shared_task

from accounts.tenancy import all_tenants, tenant_task

logger = logging.getLogger(__name__)


@shared_task(time_limit=1800, soft_time_limit=1700, acks_late=True)
@tenant_task
def validate_customer_import_task(org_id: int, customer_import_id: int) -> None:
    from customers.services.imports import customer_import_validate

    customer_import_validate(customer_import_id=customer_import_id)


@shared_task(time_limit=1800, soft_time_limit=1700, acks_late=True)
@tenant_task
def run_customer_import_task(org_id: int, customer_import_id: int) -> None:
    from customers.services.imports import customer_import_execute

    customer_import_execute(customer_import_id=customer_import_id)


@shared_task(time_limit=600, soft_time_limit=540)
def purge_customer_imports_task() -> None:
    """Platform-wide sweep: stored import files past ``CUSTOMERS_IMPORT_KEEP_DAYS``."""
    from customers.services.imports import customer_imports_purge

    with all_tenants():
        removed = customer_imports_purge()
    logger.info("customer imports purged: %s", removed)

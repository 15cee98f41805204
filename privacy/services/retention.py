"""Retention: every data class with a retention class is purged daily.

The sweep discovers what to purge from the registry, so a table another app
registers with ``retention="router_status"`` is purged with no change here.
Each table is deleted in chunks (one transaction each) under a time budget;
what was removed is recorded as a :class:`~privacy.models.RetentionPurge`.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from accounts.tenancy import all_tenants
from privacy.erasure import DELETE, Budget, ErasureResult, erase_queryset
from privacy.models import RetentionPurge, RetentionRule
from privacy.registry import RETENTION_CLASSES, installed_data_classes

logger = logging.getLogger(__name__)


def retention_classes_in_use() -> set[str]:
    return {dc.retention for dc in installed_data_classes() if dc.retention}


@transaction.atomic
def retention_rules_sync() -> dict[str, RetentionRule]:
    """A rule for every declared or used retention class (defaults never
    overwrite what staff set)."""
    names = set(RETENTION_CLASSES) | retention_classes_in_use()
    rules = {rule.retention_class: rule for rule in RetentionRule.objects.all()}
    for name in sorted(names - set(rules)):
        declared = RETENTION_CLASSES.get(name)
        rules[name] = RetentionRule.objects.create(
            retention_class=name, days=declared.default_days if declared else None
        )
    return rules


@transaction.atomic
def retention_rule_update(*, rule: RetentionRule, actor, days: int | None, is_enabled: bool):
    rule.days = days
    rule.is_enabled = is_enabled
    rule.updated_by = actor
    rule.save(update_fields=["days", "is_enabled", "updated_by", "updated_at"])
    return rule


def retention_sweep(*, now=None, budget_seconds: float | None = None) -> dict:
    """Purge rows older than their class allows. Returns ``{"finished": bool,
    "purged": {label: rows}}``; when the budget runs out, the task runs again."""
    now = now or timezone.now()
    budget = Budget(budget_seconds)
    rules = retention_rules_sync()
    purged = {}
    for data_class in sorted(installed_data_classes(), key=lambda dc: dc.label):
        if not data_class.retention:
            continue
        rule = rules.get(data_class.retention)
        field = data_class.resolved_retention_field()
        if rule is None or not rule.is_enabled or rule.days is None or field is None:
            continue
        cutoff = now - timedelta(days=rule.days)
        model = data_class.model
        column = model._meta.get_field(field)
        bound = cutoff if isinstance(column, models.DateTimeField) else cutoff.date()
        queryset = model._base_manager.filter(**{f"{field}__lt": bound})
        if not queryset.exists():
            continue
        record = RetentionPurge.objects.create(
            retention_class=data_class.retention,
            model_label=data_class.label,
            cutoff=cutoff,
            days=rule.days,
        )
        result = ErasureResult()
        with all_tenants():  # platform-wide sweep
            try:
                finished = erase_queryset(
                    data_class=data_class,
                    queryset=queryset,
                    mode=DELETE,
                    organization=None,
                    reason="retention",
                    result=result,
                    chunk_size=settings.PRIVACY_CHUNK_SIZE,
                    budget=budget,
                )
            except Exception as error:
                _record(record, result, RetentionPurge.Status.FAILED, type(error).__name__)
                logger.error("retention of %s failed: %s", data_class.label, type(error).__name__)
                raise
        count = result.deleted[data_class.label] + result.pseudonymised[data_class.label]
        purged[data_class.label] = count
        status = RetentionPurge.Status.FINISHED if finished else RetentionPurge.Status.PARTIAL
        _record(record, result, status, "")
        logger.info("retention: %s rows of %s purged", count, data_class.label)
        if not finished:
            return {"finished": False, "purged": purged}
    _clear_expired_login_sessions()
    leftover_rule = rules.get("deleted_organizations")
    from privacy.services.deletion import deleted_organization_leftovers_purge

    deleted_organization_leftovers_purge(
        now=now,
        leftover_days=(leftover_rule.days if leftover_rule and leftover_rule.is_enabled else None),
    )
    return {"finished": True, "purged": purged}


def _record(record: RetentionPurge, result: ErasureResult, status: str, message: str) -> None:
    deleted = sum(result.deleted.values()) + sum(result.pseudonymised.values())
    RetentionPurge.objects.filter(pk=record.pk).update(
        deleted=deleted, status=status, message=message[:300], finished_at=timezone.now()
    )


def _clear_expired_login_sessions() -> None:
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    with contextlib.suppress(NotImplementedError):  # cookie sessions have nothing to clear
        engine.SessionStore.clear_expired()

"""Retention: the one place where old rows are deleted.

Every model registered with a retention class (``<app>/personal_data.py``) is
swept by :func:`retention_sweep`, run daily by ``privacy.tasks.retention_sweep_task``;
apps have no prune tasks of their own. A class's period comes from its setting
(an environment variable, see the README) unless staff override it in admin →
Retention rules. Rows are deleted in chunks of ``PRIVACY_CHUNK_SIZE`` (one
transaction each, primary keys only, never a whole table in one statement)
under a time budget; what was removed is recorded as a
:class:`~privacy.models.RetentionPurge`. Never swept: ``keep_for_law`` records,
rows a registration keeps (``retention_keep``), and rows of an organisation
under an active legal hold.
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
from privacy.models import LegalHold, RetentionPurge, RetentionRule
from privacy.registry import RETENTION_CLASSES, DataClass, installed_data_classes

logger = logging.getLogger(__name__)


def retention_classes_in_use() -> set[str]:
    return {dc.retention for dc in installed_data_classes() if dc.retention}


@transaction.atomic
def retention_rules_sync() -> dict[str, RetentionRule]:
    """A rule for every declared or used retention class. A new rule has no
    ``days`` of its own: it follows the class's setting until staff set one."""
    names = set(RETENTION_CLASSES) | retention_classes_in_use()
    rules = {rule.retention_class: rule for rule in RetentionRule.objects.all()}
    for name in sorted(names - set(rules)):
        rules[name] = RetentionRule.objects.create(retention_class=name)
    return rules


@transaction.atomic
def retention_rule_update(*, rule: RetentionRule, actor, days: int | None, is_enabled: bool):
    rule.days = days
    rule.is_enabled = is_enabled
    rule.updated_by = actor
    rule.save(update_fields=["days", "is_enabled", "updated_by", "updated_at"])
    return rule


def retention_days(name: str, *, rule: RetentionRule | None = None) -> int | None:
    """How many days rows of retention class ``name`` are kept now; ``None``
    when they are kept (the class is switched off or has no period).

    The one answer every retention consumer uses (the sweep, backup rotation,
    deleted organisations' leftovers)."""
    if rule is None:
        rule = RetentionRule.objects.filter(retention_class=name).first()
    if rule is not None and not rule.is_enabled:
        return None
    if rule is not None and rule.days is not None:
        return rule.days
    declared = RETENTION_CLASSES.get(name)
    return declared.default_days if declared is not None else None


def retention_queryset(data_class: DataClass, *, cutoff, held_organization_ids=()):
    """The rows of ``data_class`` that are past ``cutoff`` and may go (unscoped:
    call inside ``all_tenants()``)."""
    field = data_class.resolved_retention_field()
    model = data_class.model
    column = model._meta.get_field(field)
    bound = cutoff if isinstance(column, models.DateTimeField) else cutoff.date()
    queryset = model._base_manager.filter(**{f"{field}__lt": bound})
    if data_class.retention_keep:
        queryset = queryset.exclude(**data_class.retention_keep)
    organization_path = data_class.resolved_organization_path()
    if held_organization_ids and organization_path and data_class.owner == "organization":
        queryset = queryset.exclude(**{f"{organization_path}__in": held_organization_ids})
    return queryset


def retention_sweep(
    *, now=None, budget_seconds: float | None = None, chunk_size: int | None = None
) -> dict:
    """Delete rows older than their class allows. Returns ``{"finished": bool,
    "purged": {label: rows}}``; when the budget runs out, the task runs again.
    Idempotent: a second run finds nothing left to delete."""
    now = now or timezone.now()
    budget = Budget(budget_seconds)
    chunk_size = chunk_size or settings.PRIVACY_CHUNK_SIZE
    rules = retention_rules_sync()
    held = sorted(
        LegalHold.objects.filter(released_at__isnull=True)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    purged = {}
    for data_class in sorted(installed_data_classes(), key=lambda dc: dc.label):
        if not data_class.retention or data_class.erasure == "keep_for_law":
            continue  # transaction records follow the legal period, never a retention class
        days = retention_days(data_class.retention, rule=rules.get(data_class.retention))
        if days is None or data_class.resolved_retention_field() is None:
            continue
        cutoff = now - timedelta(days=days)
        with all_tenants():  # platform-wide sweep
            queryset = retention_queryset(data_class, cutoff=cutoff, held_organization_ids=held)
            if not queryset.exists():
                continue
            record = RetentionPurge.objects.create(
                retention_class=data_class.retention,
                model_label=data_class.label,
                cutoff=cutoff,
                days=days,
            )
            result = ErasureResult()
            try:
                finished = erase_queryset(
                    data_class=data_class,
                    queryset=queryset,
                    mode=DELETE,
                    organization=None,
                    reason="retention",
                    result=result,
                    chunk_size=chunk_size,
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
    from privacy.services.deletion import deleted_organization_leftovers_purge

    deleted_organization_leftovers_purge(
        now=now,
        leftover_days=retention_days(
            "deleted_organizations", rule=rules.get("deleted_organizations")
        ),
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

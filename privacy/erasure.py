"""The erasure engine shared by customer erasure, account deletion and retention.

:func:`erase_queryset` deletes or pseudonymises rows in chunks, each chunk in
its own transaction, so a big erasure never holds long locks and a crash
loses at most one chunk (running it again continues: deleted rows are gone,
pseudonymised rows stay pseudonymised). Before a chunk is changed, the data
class's ``erasure_hook`` sees the rows (to remove a hotspot user from a
router, a file from disk).

Transaction records the law makes us keep (``erasure="keep_for_law"``) are
never lost as a side effect: a retained row's nullable foreign key to a row
being deleted is cleared first; a non-nullable one keeps the referenced row,
which is pseudonymised instead of deleted.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError, Value
from django.db.models.functions import Cast, Concat

from privacy.datasets import retained_classes
from privacy.registry import DataClass

logger = logging.getLogger(__name__)

DELETE = "delete"
PSEUDONYMISE = "pseudonymise"
ERASED_EMAIL_DOMAIN = "erased.invalid"


@dataclass
class ErasureResult:
    deleted: Counter = field(default_factory=Counter)
    pseudonymised: Counter = field(default_factory=Counter)
    hook_errors: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "deleted": dict(self.deleted),
            "pseudonymised": dict(self.pseudonymised),
            "hook_errors": list(self.hook_errors),
        }


class Budget:
    """A time budget, so a long job stops between chunks and continues later."""

    def __init__(self, seconds: float | None):
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline


def mode_for(data_class: DataClass) -> str:
    return DELETE if data_class.erasure == "delete" else PSEUDONYMISE


# --- pseudonymisation ----------------------------------------------------------------

_FIELD_REF = re.compile(r"F\((\w+)\)")


def _unique_field_names(model) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields if f.unique}
    for group in model._meta.unique_together:
        names.update(group)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
            for expression in constraint.expressions:
                names.update(_FIELD_REF.findall(repr(expression)))
    return names


_SKIP = object()


def _pk_text(prefix: str, suffix: str = ""):
    parts = [Value(prefix), Cast("pk", output_field=models.CharField())]
    if suffix:
        parts.append(Value(suffix))
    return Concat(*parts, output_field=models.CharField())


def _replacement(model_field, *, unique: bool):
    if isinstance(model_field, models.EmailField):
        if unique or not model_field.blank:
            return _pk_text("erased-", f"@{ERASED_EMAIL_DOMAIN}")
        return None if model_field.null and not model_field.blank else ""
    if isinstance(model_field, models.GenericIPAddressField):
        return None if model_field.null else "0.0.0.0"  # noqa: S104 - a placeholder value
    if isinstance(model_field, models.JSONField):
        return None if model_field.null else {}
    if isinstance(model_field, models.CharField | models.TextField):
        if unique:
            return _pk_text("erased-")
        if model_field.null:
            return None
        return "" if model_field.blank else "erased"
    if isinstance(model_field, models.BooleanField):
        # A personal yes/no (a consent, a preference) goes back to its default.
        return model_field.get_default() if model_field.has_default() else False
    if model_field.null:
        return None
    if isinstance(model_field, models.IntegerField | models.FloatField | models.DecimalField):
        return 0 if not model_field.is_relation else _SKIP
    return _SKIP  # non-null dates and foreign keys keep their value


def pseudonymise_assignments(data_class: DataClass) -> dict:
    """``{field: replacement}`` for ``queryset.update()``: personal values gone,
    unique fields still unique (derived from the primary key)."""
    model = data_class.model
    unique = _unique_field_names(model)
    assignments = {}
    for name in data_class.personal_fields:
        if name in data_class.pseudonymise_with:
            assignments[name] = data_class.pseudonymise_with[name]
            continue
        value = _replacement(model._meta.get_field(name), unique=name in unique)
        if value is not _SKIP:
            assignments[name] = value
    return assignments


# --- the chunked eraser ----------------------------------------------------------------


def _retained_referrers(model) -> list[tuple]:
    """(retained model, foreign key) pairs pointing at ``model``."""
    pairs = []
    for retained in retained_classes():
        retained_model = retained.model
        if retained_model is model:
            continue
        for fk in retained_model._meta.concrete_fields:
            if fk.is_relation and fk.related_model is model:
                pairs.append((retained_model, fk))
    return pairs


def _run_hook(data_class, *, organization, pks, reason, result):
    hook = data_class.hook()
    if hook is None:
        return
    instances = list(data_class.model._base_manager.filter(pk__in=pks))
    try:
        hook(organization=organization, instances=instances, reason=reason)
    except Exception as error:  # a router being down must not stop the erasure
        logger.warning(
            "erasure hook of %s failed (%s rows): %s",
            data_class.label,
            len(instances),
            type(error).__name__,
        )
        result.hook_errors.append(
            {"data_class": data_class.label, "error": type(error).__name__, "message": str(error)}
        )


def _pseudonymise(data_class, pks, result):
    assignments = pseudonymise_assignments(data_class)
    if assignments and pks:
        data_class.model._base_manager.filter(pk__in=pks).update(**assignments)
    result.pseudonymised[data_class.label] += len(pks)


def _delete(data_class, pks, result) -> set:
    """Delete ``pks``; returns the ones that must be kept (pseudonymised instead)."""
    model = data_class.model
    keep = set()
    for retained_model, fk in _retained_referrers(model):
        referring = retained_model._base_manager.filter(**{f"{fk.name}__in": pks})
        if fk.null:
            referring.update(**{fk.name: None})
        else:
            keep.update(referring.values_list(fk.attname, flat=True).distinct())
    doomed = [pk for pk in pks if pk not in keep]
    if not doomed:
        return keep
    _remove_files_after_commit(model, doomed)
    try:
        with transaction.atomic():
            deleted = (
                model._base_manager.filter(pk__in=doomed).delete()[1].get(model._meta.label, 0)
            )
    except (ProtectedError, RestrictedError):
        # Something outside the registry's knowledge protects a few rows:
        # delete one by one and keep (pseudonymised) only the protected ones.
        deleted = 0
        for pk in doomed:
            try:
                with transaction.atomic():
                    deleted += (
                        model._base_manager.filter(pk=pk).delete()[1].get(model._meta.label, 0)
                    )
            except (ProtectedError, RestrictedError):
                keep.add(pk)
    result.deleted[data_class.label] += deleted
    return keep


def _remove_files_after_commit(model, pks) -> None:
    """Uploaded files of rows being deleted go too, once the deletion commits
    (a rolled-back chunk keeps its files)."""
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    if not file_fields:
        return
    names = model._base_manager.filter(pk__in=pks).values_list(*[f.attname for f in file_fields])
    doomed = [
        (field.storage, name)
        for row in names
        for field, name in zip(file_fields, row, strict=True)
        if name
    ]

    def remove():
        for storage, name in doomed:
            try:
                storage.delete(name)
            except OSError:  # already gone, or a storage hiccup: never fail the erasure
                logger.warning("erasure: could not remove a file of %s", model._meta.label)

    transaction.on_commit(remove)


def erase_queryset(
    *,
    data_class: DataClass,
    queryset,
    mode: str,
    organization,
    reason: str,
    result: ErasureResult,
    chunk_size: int = 2000,
    budget: Budget | None = None,
) -> bool:
    """Erase every row of ``queryset``; False when the budget ran out first."""
    last_pk = None
    while True:
        if budget is not None and budget.expired():
            return False
        page = queryset.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        pks = list(page.values_list("pk", flat=True)[:chunk_size])
        if not pks:
            return True
        last_pk = pks[-1]
        with transaction.atomic():
            _run_hook(data_class, organization=organization, pks=pks, reason=reason, result=result)
            if mode == DELETE:
                keep = _delete(data_class, pks, result)
                if keep:
                    _pseudonymise(data_class, sorted(keep), result)
            else:
                _pseudonymise(data_class, pks, result)

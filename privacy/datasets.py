"""Which rows of a data class belong to an organisation, a user or a customer.

Everything here reads through ``model._base_manager`` with an explicit filter
on the owner: a default manager may hide rows (archived, soft-deleted), and
an export or an erasure that missed hidden rows would break the promise. The
filters always name the organisation, user or customer, so nothing here can
return another tenant's rows; callers hold ``tenant(org)`` or
``all_tenants()`` as the tenancy rule asks.
"""

from __future__ import annotations

from collections import defaultdict, deque

from django.db.models import Model

from privacy.registry import (
    ORGANIZATION_MODEL,
    REGISTRY,
    USER_MODEL,
    DataClass,
    installed_data_classes,
)


def _filter(model, path: str, value):
    lookup = "pk" if path == "pk" else path
    return model._base_manager.filter(**{lookup: value})


def organization_rows(data_class: DataClass, organization):
    path = data_class.resolved_organization_path()
    if path is None:
        return data_class.model._base_manager.none()
    queryset = _filter(data_class.model, path, organization.pk)
    if "__" in path:
        queryset = queryset.distinct()
    return queryset


def user_rows(data_class: DataClass, user_ids):
    path = data_class.resolved_user_path()
    if path is None:
        return data_class.model._base_manager.none()
    lookup = "pk__in" if path == "pk" else f"{path}__in"
    return data_class.model._base_manager.filter(**{lookup: list(user_ids)})


def customer_rows(data_class: DataClass, organization, customer_pk):
    """One customer's rows, never outside ``organization``."""
    path = data_class.resolved_customer_path()
    if path is None:
        return data_class.model._base_manager.none()
    queryset = _filter(data_class.model, path, customer_pk)
    organization_path = data_class.resolved_organization_path()
    if organization_path is not None:
        lookup = "pk" if organization_path == "pk" else organization_path
        queryset = queryset.filter(**{lookup: organization.pk})
    return queryset


# --- which data classes take part in what --------------------------------------------


def organization_export_classes() -> list[DataClass]:
    return [
        dc
        for dc in installed_data_classes()
        if dc.export and dc.resolved_organization_path() is not None
    ]


def user_export_classes() -> list[DataClass]:
    return [dc for dc in installed_data_classes() if dc.export and dc.resolved_user_path()]


def customer_classes() -> list[DataClass]:
    return [dc for dc in installed_data_classes() if dc.resolved_customer_path() is not None]


def organization_owned_classes() -> list[DataClass]:
    """Rows that go when the organisation goes (its own row excepted)."""
    return [
        dc
        for dc in installed_data_classes()
        if dc.owner == "organization" and dc.label != ORGANIZATION_MODEL
    ]


def user_owned_classes() -> list[DataClass]:
    """Rows that go when their user goes (the user row itself excepted)."""
    return [dc for dc in installed_data_classes() if dc.owner == "user" and dc.label != USER_MODEL]


def retained_classes() -> list[DataClass]:
    """Transaction records kept (pseudonymised) for the legal period."""
    return [dc for dc in installed_data_classes() if dc.erasure == "keep_for_law"]


def children_first(data_classes: list[DataClass]) -> list[DataClass]:
    """Order data classes so a model comes before every model it points to.

    Deleting in this order leaves nothing for a cascade to collect, so chunks
    stay small and ``PROTECT`` foreign keys between the classes never fire.
    """
    by_model = {dc.model: dc for dc in data_classes}
    points_to = defaultdict(set)  # model -> models it has a foreign key to
    referenced_by = defaultdict(set)  # model -> models pointing at it
    for model in by_model:
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target in by_model and target is not model:
                points_to[model].add(target)
                referenced_by[target].add(model)
    waiting = {model: len(referenced_by[model]) for model in by_model}
    ready = deque(sorted((m for m, n in waiting.items() if n == 0), key=_label))
    ordered = []
    while ready:
        model = ready.popleft()
        ordered.append(model)
        for target in sorted(points_to[model], key=_label):
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    # A cycle leaves models waiting; append them in label order (the chunk
    # deleter still copes: cascades and protections are handled per chunk).
    ordered += sorted((m for m in by_model if m not in ordered), key=_label)
    return [by_model[model] for model in ordered]


def _label(model: type[Model]) -> str:
    return model._meta.label


def data_class(label: str) -> DataClass:
    return REGISTRY[label]

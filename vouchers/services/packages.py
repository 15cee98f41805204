"""Packages and their hotspot user profiles on routers.

A package is kept on each router that offers it as a
``/ip/hotspot/user/profile`` named :attr:`Package.profile_name`. Saving a
package marks its :class:`PackageRouterSync` rows pending and enqueues a sync
after the commit; the sync (and the scheduled reconciliation) creates,
corrects or removes the profile and records any drift it found. A sync is
idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from nettportal.errors import Conflict, ValidationFailed
from routers.models import Router
from vouchers import routerops
from vouchers.models import BatchPush, Package, PackageRouterSync, Voucher
from vouchers.validators import rate_limit_error

logger = logging.getLogger(__name__)

PACKAGE_FIELDS = (
    "name",
    "description",
    "price",
    "validity",
    "time_limit",
    "data_limit_bytes",
    "rate_limit",
    "shared_users",
    "is_active",
    "on_all_routers",
    "sold_on_landing_page",
    "allows_stacking",
)
PROFILE_FIELDS = ("rate_limit", "shared_users")
MAX_PRICE = Decimal("9999999999.99")


# ------------------------------------------------------------------ validation
def _clean(values: dict) -> dict:
    name = (values.get("name") or "").strip()
    if not name:
        raise ValidationFailed("Give the package a name.", field="name")
    values["name"] = name[:80]
    values["description"] = (values.get("description") or "").strip()[:200]
    try:
        price = Decimal(str(values.get("price")))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed("Enter a price, e.g. 5 or 2.50.", field="price") from None
    if not price.is_finite() or price < 0:
        raise ValidationFailed("The price cannot be negative.", field="price")
    if price > MAX_PRICE or price.as_tuple().exponent < -2:
        raise ValidationFailed("Enter a price with at most 2 decimals.", field="price")
    values["price"] = price
    for field, label in (("validity", "Validity"), ("time_limit", "The time limit")):
        value = values.get(field)
        if value is not None and value < timedelta(minutes=1):
            raise ValidationFailed(f"{label} must be at least one minute.", field=field)
        if value is not None and value > timedelta(days=3650):
            raise ValidationFailed(f"{label} cannot be longer than ten years.", field=field)
    data = values.get("data_limit_bytes")
    if data is not None and data < 1_000_000:
        raise ValidationFailed("The data limit must be at least 1 MB.", field="data_limit_bytes")
    rate = (values.get("rate_limit") or "").strip()
    error = rate_limit_error(rate)
    if error:
        raise ValidationFailed(error, field="rate_limit")
    values["rate_limit"] = " ".join(rate.split())
    shared = values.get("shared_users", 1)
    if not isinstance(shared, int) or not 1 <= shared <= 100:
        raise ValidationFailed("Devices at once must be between 1 and 100.", field="shared_users")
    return values


def _check_routers(organization, routers) -> list[Router]:
    routers = list(routers or [])
    if any(router.organization_id != organization.pk for router in routers):
        raise ValidationFailed("Choose routers of your own organisation.", field="routers")
    return routers


def _profile_name(name: str, *, exclude_pk=None) -> str:
    base = "np-" + (slugify(name)[:48] or "package")
    candidate, number = base, 2
    taken = Package.objects.exclude(pk=exclude_pk)
    while taken.filter(profile_name=candidate).exists():
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def _name_taken(name: str, *, exclude_pk=None) -> bool:
    return Package.objects.exclude(pk=exclude_pk).filter(name__iexact=name).exists()


# ------------------------------------------------------------------- services
def _wanted_routers(package: Package) -> list[Router]:
    if package.on_all_routers:
        return list(Router.objects.all())
    return list(package.routers.all())


def _mark_pending(package: Package) -> None:
    """Sync rows: pending for every router that should have the profile, and
    "remove" for routers that had it and no longer should."""
    wanted = {router.pk for router in _wanted_routers(package)}
    existing = {row.router_id: row for row in PackageRouterSync.objects.filter(package=package)}
    for router_id in wanted - set(existing):
        PackageRouterSync.objects.create(
            organization=package.organization, package=package, router_id=router_id
        )
    PackageRouterSync.objects.filter(package=package, router_id__in=wanted).update(
        is_wanted=True, state=PackageRouterSync.State.PENDING
    )
    PackageRouterSync.objects.filter(package=package).exclude(router_id__in=wanted).update(
        is_wanted=False, state=PackageRouterSync.State.PENDING
    )


def _enqueue_sync(package: Package) -> None:
    from vouchers.tasks import sync_package_task

    org_id, package_id = package.organization_id, package.pk
    transaction.on_commit(lambda: sync_package_task.delay(org_id, package_id))


@transaction.atomic
def package_create(*, organization, actor, routers=(), **fields) -> Package:
    unknown = set(fields) - set(PACKAGE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown package field(s): {', '.join(sorted(unknown))}")
    values = _clean({field: fields.get(field) for field in PACKAGE_FIELDS if field in fields})
    routers = _check_routers(organization, routers)
    if _name_taken(values["name"]):
        raise Conflict("You already have a package with this name.", field="name")
    package = Package(organization=organization, **values)
    package.profile_name = _profile_name(package.name)
    try:
        with transaction.atomic():
            package.save()
    except IntegrityError as error:
        raise Conflict("You already have a package with this name.", field="name") from error
    package.routers.set(routers)
    _mark_pending(package)
    logger.info("package %s created by user %s", package.pk, getattr(actor, "pk", None))
    _enqueue_sync(package)
    return package


@transaction.atomic
def package_update(*, package: Package, actor, routers=None, **changes) -> Package:
    unknown = set(changes) - set(PACKAGE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown package field(s): {', '.join(sorted(unknown))}")
    current = {field: getattr(package, field) for field in PACKAGE_FIELDS}
    values = _clean({**current, **changes})
    if values["name"].lower() != package.name.lower() and _name_taken(
        values["name"], exclude_pk=package.pk
    ):
        raise Conflict("You already have a package with this name.", field="name")
    changed = [field for field in PACKAGE_FIELDS if values[field] != current[field]]
    old_routers = set(package.routers.values_list("pk", flat=True))
    new_routers = old_routers
    if routers is not None:
        routers = _check_routers(package.organization, routers)
        new_routers = {router.pk for router in routers}
    for field in changed:
        setattr(package, field, values[field])
    if changed:
        try:
            with transaction.atomic():
                package.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as error:
            raise Conflict("You already have a package with this name.", field="name") from error
    if new_routers != old_routers:
        package.routers.set(routers)
    needs_sync = (
        any(field in PROFILE_FIELDS or field == "on_all_routers" for field in changed)
        or new_routers != old_routers
    )
    if needs_sync:
        _mark_pending(package)
        _enqueue_sync(package)
    logger.info(
        "package %s changed by user %s: %s",
        package.pk,
        getattr(actor, "pk", None),
        ", ".join(changed) or "nothing",
    )
    return package


@transaction.atomic
def package_delete(*, package: Package, actor) -> None:
    """Delete a package nobody bought; its profile is removed from the routers."""
    count = Voucher.objects.filter(package=package).count()
    if count:
        raise Conflict(
            f"This package has {count} voucher(s), so it is kept for your records. "
            "Make it inactive to stop selling it."
        )
    router_ids = list(
        PackageRouterSync.objects.filter(package=package)
        .exclude(router_profile_id="")
        .values_list("router_id", flat=True)
    )
    org_id, profile_name, package_id = package.organization_id, package.profile_name, package.pk
    package.delete()
    logger.info("package %s deleted by user %s", package_id, getattr(actor, "pk", None))
    if router_ids:
        from vouchers.tasks import remove_profile_task

        transaction.on_commit(
            lambda: [remove_profile_task.delay(org_id, rid, profile_name) for rid in router_ids]
        )


@transaction.atomic
def package_sync_request(*, package: Package, actor) -> None:
    """Sync the package on its routers now (the dashboard's "Sync now")."""
    _mark_pending(package)
    logger.info("package %s: sync requested by user %s", package.pk, getattr(actor, "pk", None))
    _enqueue_sync(package)


def package_offered_on(package: Package, router: Router) -> bool:
    if package.on_all_routers:
        return True
    return package.routers.filter(pk=router.pk).exists()


def packages_ensure_sync_rows(*, router: Router) -> None:
    """Rows for every package this router should offer (a router added after
    the package, or a package made "all routers")."""
    wanted = Package.objects.filter(Q(on_all_routers=True) | Q(routers=router)).distinct()
    have = set(PackageRouterSync.objects.filter(router=router).values_list("package_id", flat=True))
    missing = [package for package in wanted if package.pk not in have]
    PackageRouterSync.objects.bulk_create(
        [
            PackageRouterSync(
                organization_id=router.organization_id, package=package, router=router
            )
            for package in missing
        ]
    )


# --------------------------------------------------------------- router side
def _still_used(package: Package, router: Router) -> int:
    active = Voucher.objects.filter(
        package=package, router=router, status=Voucher.Status.ACTIVE
    ).count()
    pushed_batches = BatchPush.objects.filter(router=router, batch__package=package).values(
        "batch_id"
    )
    unused = Voucher.objects.filter(
        batch_id__in=pushed_batches, status=Voucher.Status.UNUSED
    ).count()
    return active + unused


def package_sync_on_router(*, sync: PackageRouterSync, client) -> PackageRouterSync:
    """Bring one package's profile on one router in line, with an open client.

    Raises RouterError when the router fails; the caller records it with
    :func:`package_sync_failed`.
    """
    package, router = sync.package, sync.router
    now = timezone.now()
    if not sync.is_wanted:
        in_use = _still_used(package, router)
        if in_use:
            PackageRouterSync.objects.filter(pk=sync.pk).update(
                state=PackageRouterSync.State.KEPT,
                last_attempt_at=now,
                last_error=f"Kept: {in_use} voucher(s) on this router still use it.",
            )
            return sync
        removed = routerops.profile_remove(client, package.profile_name)
        PackageRouterSync.objects.filter(pk=sync.pk).delete()
        logger.info(
            "package %s: profile %s from router %s",
            package.pk,
            "removed" if removed else "already absent",
            router.pk,
        )
        return sync
    profile_id, before = routerops.profile_put(client, package)
    drift = _drift(sync, before, package)
    fields = {
        "state": PackageRouterSync.State.SYNCED,
        "router_profile_id": profile_id[:20],
        "synced_values": routerops.profile_expected(package),
        "last_attempt_at": now,
        "last_synced_at": now,
        "last_error": "",
    }
    if drift:
        fields.update(drift=drift, drift_seen_at=now)
        logger.warning(
            "package %s: drift on router %s fixed (%s)",
            package.pk,
            router.pk,
            ", ".join(item["field"] for item in drift),
        )
    PackageRouterSync.objects.filter(pk=sync.pk).update(**fields)
    for name, value in fields.items():
        setattr(sync, name, value)
    return sync


def _drift(sync: PackageRouterSync, before: dict | None, package: Package) -> list[dict]:
    """What changed on the router behind our back since our last sync (our own
    edits of the package are not drift)."""
    if sync.last_synced_at is None:
        return []
    if before is None:
        return [{"field": "profile", "router": "missing", "expected": package.profile_name}]
    return [
        {"field": key, "router": before[key], "expected": expected}
        for key, expected in sync.synced_values.items()
        if key in before and before[key] != expected
    ]


def package_sync_failed(*, sync: PackageRouterSync, message: str) -> None:
    PackageRouterSync.objects.filter(pk=sync.pk).update(
        state=PackageRouterSync.State.ERROR,
        last_attempt_at=timezone.now(),
        last_error=message[:300],
    )


def package_sync(*, package: Package) -> dict:
    """Sync one package on every router concerned (one connection each)."""
    summary = {"synced": 0, "failed": 0, "removed": 0}
    rows = PackageRouterSync.objects.filter(package=package).select_related("package", "router")
    for sync in rows:
        try:
            with routerops.open_router(sync.router) as client:
                package_sync_on_router(sync=sync, client=client)
        except routerops.RouterError as error:
            package_sync_failed(sync=sync, message=error.message)
            summary["failed"] += 1
        else:
            summary["removed" if not sync.is_wanted else "synced"] += 1
    return summary

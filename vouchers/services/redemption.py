"""Redeeming a voucher, and issuing one for a payment.

These are the entry points the landing page (portal), the REST API, billing
and dashboard staff call:

    from vouchers.services import voucher_redeem, voucher_issue_for_payment

    voucher = voucher_issue_for_payment(
        organization=org, package=package, payment_reference="MPESA-QH12…",
        price=Decimal("5.00"),
    )                                          # same reference → same voucher
    result = voucher_redeem(
        organization=org, code=voucher.code, router=router,
        mac="AA:BB:CC:DD:EE:FF", ip="10.5.50.23", login=True,
    )
    result.logged_in, result.login_error, result.username, result.password

**Exactly once.** Redemption locks the voucher row (``SELECT … FOR UPDATE``)
and keeps the lock while it creates the hotspot user on the router, so two
customers typing the same code at the same moment get one success and one
"already used". The lock covers one row and is bounded by the router
timeouts (``ROUTER_CONNECT_TIMEOUT`` + ``ROUTER_READ_TIMEOUT``).

**Consumed only if the router took it.** If the router cannot be reached or
refuses the user, the transaction rolls back and the voucher stays unused;
the customer sees :class:`RouterUnavailable`'s message. Logging the device
in afterwards is a convenience: if that step fails the voucher is still
redeemed, and ``result.login_error`` says why (the landing page then hands
the login to the router's own page with ``username``/``password``).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from nettportal import db
from nettportal.errors import Conflict, ExternalServiceError, NotFound, ValidationFailed
from vouchers import routerops
from vouchers.codes import CodeFormat, looks_like_code, normalise, random_strings
from vouchers.models import Package, Voucher, VoucherEvent, VoucherSettings
from vouchers.services.lifecycle import (
    _enqueue_tidy,
    event_add,
    vouchers_webhook_emit,
)
from vouchers.services.packages import package_offered_on

logger = logging.getLogger(__name__)
MAC_RE = re.compile(r"^([0-9A-F]{2}[:-]){5}[0-9A-F]{2}$")
VIA_LABELS = {"portal": "the landing page", "api": "the API", "dashboard": "the dashboard"}


class VoucherNotRedeemable(ValidationFailed):
    """The code cannot be redeemed; the message is written for the customer."""

    code = "voucher_not_redeemable"


class RouterUnavailable(ExternalServiceError):
    """The router did not take the user; the voucher was not used."""

    code = "router_unavailable"
    status = 503


@dataclass
class Redemption:
    voucher: Voucher
    logged_in: bool
    login_error: str = ""
    stacked_onto: Voucher | None = None

    @property
    def username(self) -> str:
        """The hotspot user to log in as (the earlier voucher's, when stacked)."""
        return (self.stacked_onto or self.voucher).code

    @property
    def password(self) -> str:
        return (self.stacked_onto or self.voucher).password


def clean_mac(mac: str | None) -> str:
    if not mac:
        return ""
    value = mac.strip().upper().replace("-", ":")
    if not MAC_RE.match(value):
        raise ValidationFailed("That is not a device (MAC) address.", field="mac")
    return value


def clean_ip(ip: str | None) -> str:
    if not ip:
        return ""
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        raise ValidationFailed("That is not an IP address.", field="ip") from None


_UNAVAILABLE = {
    Voucher.Status.ACTIVE: "This code has already been used.",
    Voucher.Status.USED_UP: "This code's time or data is used up.",
    Voucher.Status.EXPIRED: "This code has expired.",
    Voucher.Status.REVOKED: "This code is no longer valid. Ask the seller for help.",
}


def _check(voucher: Voucher, *, router, now) -> None:
    if voucher.status != Voucher.Status.UNUSED:
        raise VoucherNotRedeemable(_UNAVAILABLE[voucher.status], field="code")
    if voucher.unsold_expires_at and voucher.unsold_expires_at <= now:
        raise VoucherNotRedeemable(_UNAVAILABLE[Voucher.Status.EXPIRED], field="code")
    package = voucher.package
    if not package.is_active:
        raise VoucherNotRedeemable(
            "The package of this code is no longer sold. Ask the seller for a new code.",
            field="code",
        )
    if not package_offered_on(package, router):
        raise VoucherNotRedeemable("This code cannot be used on this Wi-Fi network.", field="code")


def _device_vouchers(*, router, mac: str):
    """Vouchers this device is using on this router (stacking targets)."""
    return Voucher.objects.filter(
        router=router,
        device_mac=mac,
        status=Voucher.Status.ACTIVE,
        stacked_onto__isnull=True,
    )


def _time_left_on_device(*, router, mac: str, now, has_any: bool):
    """An active voucher this device is using on this router that still has time.

    ``has_any`` is what the redemption's own query saw (most devices have none, so
    then nothing is locked or read). A voucher activated by a concurrent
    redemption is invisible to both alike.
    """
    if not mac or not has_any:
        return None
    active = _device_vouchers(router=router, mac=mac)
    candidates = active.select_for_update(of=("self",)).select_related("package").order_by("pk")
    for voucher in candidates:
        if voucher.expires_at is None or voucher.expires_at > now:
            return voucher
    return None


def _stack(primary: Voucher, voucher: Voucher) -> None:
    """Add ``voucher``'s package to ``primary`` (time, data and validity)."""
    package = voucher.package
    if package.validity:
        primary.extra_validity = (primary.extra_validity or timedelta()) + package.validity
        if primary.expires_at:
            primary.expires_at += package.validity
    if package.time_limit:
        primary.extra_time = (primary.extra_time or timedelta()) + package.time_limit
    if package.data_limit_bytes:
        primary.extra_bytes = (primary.extra_bytes or 0) + package.data_limit_bytes


def _ensure_user(client, voucher: Voucher, *, probably_new: bool = False) -> None:
    """Create (or refresh) the hotspot user; if the router lacks the package's
    profile (a sync has not reached it yet), create the profile and retry."""
    try:
        routerops.user_put(client, voucher, probably_new=probably_new)
    except routerops.RouterCommandRejected as error:
        if "profile" not in error.router_message:
            raise
        routerops.profile_put(client, voucher.package)
        routerops.user_put(client, voucher, probably_new=probably_new)


@functools.cache
def _voucher_sql(*, with_device: bool, lock: bool, vendor: str) -> str:
    # vouchers_voucher v with its package p; device_in_use; pushed (see _voucher_row).
    device_in_use = "FALSE"
    if with_device:
        device_in_use = (
            "EXISTS (SELECT 1 FROM vouchers_voucher d WHERE d.organization_id = %s "
            "AND d.router_id = %s AND d.device_mac = %s AND d.status = 'active' "
            "AND d.stacked_onto_id IS NULL)"
        )
    lock_clause = db.lock_rows_of("v") if lock else ""
    return (
        f"SELECT {db.select_list(Voucher, 'v')}, {db.select_list(Package, 'p')}, "  # noqa: S608
        f"{device_in_use}, "
        "EXISTS (SELECT 1 FROM vouchers_batchpush b "
        "WHERE b.organization_id = v.organization_id AND b.batch_id = v.batch_id) "
        "FROM vouchers_voucher v INNER JOIN vouchers_package p ON p.id = v.package_id "
        f"WHERE v.organization_id = %s AND v.lookup = %s{lock_clause}"
    )


def _voucher_row(*, organization_id: int, lookup: str, lock: bool, router_id=None, mac=""):
    """The voucher with ``lookup`` and its package (locked with ``lock``); whether the
    device ``mac`` already uses a code on ``router_id``; whether the voucher's batch
    was pushed to routers.

    ``(None, False, False)`` when the organisation has no such code. One
    hand-written statement (see nettportal.db): it runs for every code typed on
    a landing page, and the ORM took longer to compile it than PostgreSQL to run it.
    """
    params = [organization_id, router_id, mac] if mac else []
    with connection.cursor() as cursor:
        cursor.execute(
            _voucher_sql(with_device=bool(mac), lock=lock, vendor=connection.vendor),
            [*params, organization_id, lookup],
        )
        row = cursor.fetchone()  # (organization, lookup) is unique
    if row is None:
        return None, False, False
    voucher = db.instance_from_row(Voucher, "v", row)
    width = db.row_width(Voucher)
    Voucher.package.field.set_cached_value(voucher, db.instance_from_row(Package, "p", row, width))
    width += db.row_width(Package)
    return voucher, bool(row[width]), bool(row[width + 1])


def _events_insert(*, organization_id: int, router_id, now, events, actor=None) -> None:
    """The events of one redemption or login in one statement: ``events`` holds
    (voucher, kind, message); the actor is put on the first only."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    db.insert_rows(
        VoucherEvent,
        ["organization", "voucher", "router", "kind", "message", "actor", "created_at"],
        [
            (
                organization_id,
                voucher.pk,
                router_id,
                kind,
                message[:300],
                actor_id if index == 0 else None,
                now,
            )
            for index, (voucher, kind, message) in enumerate(events)
        ],
    )


@transaction.atomic
def voucher_redeem(
    *,
    organization,
    code: str,
    router,
    mac: str | None = None,
    ip: str | None = None,
    login: bool = True,
    actor=None,
    via: str = "portal",
) -> Redemption:
    """Redeem ``code`` for the device behind ``router``; see the module docstring.

    Raises :class:`VoucherNotRedeemable` (bad, used, expired, revoked code,
    package withdrawn or not offered here, or time left without stacking),
    :class:`RouterUnavailable` (router offline or refusing; voucher not used),
    ``ValidationFailed`` for a malformed MAC or IP.
    """
    if router.organization_id != organization.pk:
        raise NotFound("Unknown router.")
    mac, ip = clean_mac(mac), clean_ip(ip)
    lookup = normalise(code)
    if not looks_like_code(lookup):
        raise VoucherNotRedeemable(
            "That is not a voucher code. Check the card and try again.", field="code"
        )
    now = timezone.now()
    voucher, device_in_use, pushed = _voucher_row(
        organization_id=organization.pk, lookup=lookup, lock=True, router_id=router.pk, mac=mac
    )
    if voucher is None:
        raise VoucherNotRedeemable(
            "We do not know this code. Check it and try again.", field="code"
        )
    _check(voucher, router=router, now=now)
    primary = _time_left_on_device(router=router, mac=mac, now=now, has_any=device_in_use)
    if primary is not None and not voucher.package.allows_stacking:
        until = (
            f" until {timezone.localtime(primary.expires_at):%d %b %H:%M}"
            if primary.expires_at
            else ""
        )
        raise VoucherNotRedeemable(
            f"This device still has time left on another code{until}. Use it up first, "
            "or choose a package that can be added on top.",
            field="code",
        )
    if primary is not None:
        _stack(primary, voucher)
    target = primary or voucher
    logged_in, login_error = False, ""
    try:
        with routerops.open_router(router, reuse=True) as client:
            # A fresh code's user is usually not on the router yet (unless pushed).
            _ensure_user(client, target, probably_new=primary is None)
            if login and (ip or mac):
                try:
                    routerops.user_login(client, target, ip=ip, mac=mac)
                    logged_in = True
                except routerops.RouterError as error:
                    login_error = getattr(error, "router_message", "") or error.message
    except routerops.RouterError as error:
        logger.warning(
            "voucher %s: router %s failed at redemption (%s); not consumed",
            voucher.pk,
            router.pk,
            error.kind,
        )
        raise RouterUnavailable(
            "We could not reach the Wi-Fi router, so your code was not used. "
            "Please try again in a minute."
        ) from error

    voucher.status = Voucher.Status.ACTIVE
    voucher.router = router
    voucher.redeemed_at = now
    voucher.device_mac = mac
    voucher.sold_at = voucher.sold_at or now
    if voucher.sold_price is None:
        voucher.sold_price = voucher.package.price
    voucher.currency = voucher.currency or organization.currency
    fields = ["status", "router", "redeemed_at", "device_mac", "sold_at", "sold_price", "currency"]
    if primary is not None:
        voucher.stacked_onto = primary
        voucher.first_login_at = now
        fields += ["stacked_onto", "first_login_at"]
        primary.save(update_fields=["extra_validity", "extra_time", "extra_bytes", "expires_at"])
    elif logged_in:
        voucher.first_login_at = now
        validity = voucher.total_validity
        voucher.expires_at = now + validity if validity else None
        fields += ["first_login_at", "expires_at"]
    db.update_fields(voucher, fields)
    where = VIA_LABELS.get(via, via)
    events = [(voucher, VoucherEvent.Kind.REDEEMED, f"Redeemed through {where} on {router.name}.")]
    if primary is not None:
        events += [
            (voucher, VoucherEvent.Kind.STACKED, f"Added on top of {primary.code}."),
            (primary, VoucherEvent.Kind.STACKED, f"{voucher.code} added on top."),
        ]
    if logged_in:
        events.append((voucher, VoucherEvent.Kind.LOGGED_IN, "Device logged in at redemption."))
    _events_insert(
        organization_id=organization.pk,
        router_id=router.pk,
        now=timezone.now(),  # after the router's answers, as the events happened
        events=events,
        actor=actor,
    )
    logger.info("voucher %s redeemed on router %s via %s", voucher.pk, router.pk, via)
    vouchers_webhook_emit(organization.pk, "voucher.redeemed", [voucher.pk], via=via)
    if pushed:
        _enqueue_tidy(organization.pk, [voucher.pk])  # copies pushed to other routers go
    return Redemption(
        voucher=voucher, logged_in=logged_in, login_error=login_error, stacked_onto=primary
    )


def voucher_login(*, organization, code: str, router, mac=None, ip=None) -> Voucher:
    """Log a device in again with a voucher already in use on this router."""
    mac, ip = clean_mac(mac), clean_ip(ip)
    if not (mac or ip):
        raise ValidationFailed("A login needs the device's IP or MAC address.")
    if router.organization_id != organization.pk:
        raise VoucherNotRedeemable("We do not know this code.", field="code")
    voucher, _in_use, _pushed = _voucher_row(
        organization_id=organization.pk, lookup=normalise(code), lock=False
    )
    if voucher is None:
        raise VoucherNotRedeemable("We do not know this code.", field="code")
    target = voucher.stacked_onto or voucher
    if target.status != Voucher.Status.ACTIVE:
        message = _UNAVAILABLE.get(target.status, "This code has not been redeemed yet.")
        raise VoucherNotRedeemable(
            "This code has not been redeemed yet." if target.status == "unused" else message,
            field="code",
        )
    if target.router_id != router.pk:
        raise VoucherNotRedeemable("This code is in use on another Wi-Fi network.", field="code")
    try:
        with routerops.open_router(router, reuse=True) as client:
            routerops.user_login(client, target, ip=ip, mac=mac)
    except routerops.RouterCommandRejected as error:
        raise VoucherNotRedeemable(
            f"The router did not log you in: {error.router_message}", field="code"
        ) from error
    except routerops.RouterError as error:
        raise RouterUnavailable(
            "We could not reach the Wi-Fi router. Please try again in a minute."
        ) from error
    _events_insert(
        organization_id=organization.pk,
        router_id=router.pk,
        now=timezone.now(),
        events=[(target, VoucherEvent.Kind.LOGGED_IN, "Device logged in again.")],
    )
    return target


def _default_format(organization) -> CodeFormat:
    settings_row = VoucherSettings.objects.filter(organization=organization).first()
    if settings_row is None:
        return CodeFormat()
    return CodeFormat(
        length=settings_row.code_length,
        prefix=settings_row.code_prefix,
        group_size=settings_row.group_size,
        alphabet=settings_row.alphabet,
    )


@transaction.atomic
def voucher_issue_for_payment(
    *,
    organization,
    package,
    payment_reference: str,
    price: Decimal | None = None,
    currency: str | None = None,
) -> Voucher:
    """One voucher for a paid package; the same payment reference always gives
    the same voucher (a retried callback never sells twice).

    The voucher is unused until :func:`voucher_redeem` puts it on the router
    the buyer is behind. ``price`` defaults to the package price and
    ``currency`` to the organisation's.
    """
    reference = (payment_reference or "").strip()
    if not reference or len(reference) > 100:
        raise ValidationFailed("A payment reference of 1 to 100 characters is needed.")
    if package.organization_id != organization.pk:
        raise NotFound("Unknown package.")
    existing = Voucher.objects.filter(payment_reference=reference).first()
    if existing is not None:
        return _same_payment(existing, package)
    if not package.is_active:
        raise ValidationFailed("This package is no longer sold.")
    code_format = _default_format(organization)
    now = timezone.now()
    for _attempt in range(8):
        random_part = random_strings(1, code_format.length, code_format.alphabet)[0]
        voucher = Voucher(
            organization=organization,
            package=package,
            code=code_format.display(random_part),
            lookup=code_format.prefix + random_part,
            source=Voucher.Source.PAYMENT,
            payment_reference=reference,
            sold_at=now,
            sold_price=package.price if price is None else Decimal(price),
            currency=currency or organization.currency,
        )
        try:
            with transaction.atomic():
                voucher.save()
                event_add(
                    voucher, VoucherEvent.Kind.ISSUED, message="Issued for an online payment."
                )
        except IntegrityError:
            existing = Voucher.objects.filter(payment_reference=reference).first()
            if existing is not None:  # the same payment, issued concurrently
                return _same_payment(existing, package)
            continue  # a code collision: draw another
        logger.info("voucher %s issued for a payment", voucher.pk)
        return voucher
    raise Conflict("Could not find a free voucher code; try again.")


def _same_payment(existing: Voucher, package) -> Voucher:
    if existing.package_id != package.pk:
        raise Conflict("This payment reference was already used for another package.")
    return existing

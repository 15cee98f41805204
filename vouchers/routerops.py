"""What vouchers do on a router, in RouterOS terms, through the routers app.

Everything goes through :func:`routers.services.router_client` (one logged-in
connection, closed on exit) and the client's typed methods; nothing here
speaks the API protocol itself. Functions take an open ``client`` so a caller
doing many things on one router (a push, a reconciliation) uses one connection.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from routers.routeros import RouterCommandRejected, RouterError  # noqa: F401 - re-exported
from routers.services import router_client

MANAGED_COMMENT = "NettPortal voucher"
PROFILE_COMMENT = "NettPortal package"


@contextlib.contextmanager
def open_router(router, *, reuse: bool = False):
    """One logged-in connection to ``router``; raises RouterError when it cannot.

    ``reuse=True``: a connection from the process's pool (per-request paths).
    """
    with router_client(router, reuse=reuse) as client:
        yield client


def profile_expected(package) -> dict[str, str]:
    """The profile attributes we own, as RouterOS prints them."""
    return {"rate-limit": package.rate_limit or "", "shared-users": str(package.shared_users)}


def profile_actual(profile) -> dict[str, str]:
    return {
        "rate-limit": profile.rate_limit or "",
        "shared-users": str(profile.shared_users) if profile.shared_users is not None else "1",
    }


def profile_put(client, package) -> tuple[str, dict[str, str] | None]:
    """Create or correct the package's profile.

    Returns (``.id``, the attributes the router had before, or ``None`` when
    the profile had to be created).
    """
    expected = profile_expected(package)
    existing = client.hotspot_profiles(name=package.profile_name)
    if not existing:
        profile_id = client.hotspot_profile_add(
            name=package.profile_name,
            rate_limit=expected["rate-limit"] or None,
            shared_users=package.shared_users,
            comment=PROFILE_COMMENT,
        )
        return profile_id, None
    profile = existing[0]
    actual = profile_actual(profile)
    if actual != expected:
        client.hotspot_profile_set(
            profile.id,
            rate_limit=expected["rate-limit"],
            shared_users=package.shared_users,
        )
    return profile.id, actual


def profile_remove(client, profile_name: str) -> bool:
    existing = client.hotspot_profiles(name=profile_name)
    if not existing:
        return False
    client.hotspot_profile_remove(existing[0].id)
    return True


def router_time_limit(voucher) -> timedelta | None:
    """``limit-uptime`` for the voucher's user: what the voucher allows minus
    what was used before the router's counters last started from zero."""
    total = voucher.total_time_limit
    if total is None:
        return None
    return max(total - timedelta(seconds=voucher.usage_base_seconds), timedelta(seconds=1))


def router_data_limit(voucher) -> int | None:
    total = voucher.total_data_limit
    if total is None:
        return None
    return max(total - voucher.usage_base_bytes, 1)


def user_find(client, name: str):
    users = client.hotspot_users(name=name)
    return users[0] if users else None


def user_add(client, voucher) -> str:
    """Add the voucher's hotspot user with the package profile and limits."""
    return client.hotspot_user_add(
        name=voucher.code,
        password=voucher.password,
        profile=voucher.package.profile_name,
        limit_uptime=router_time_limit(voucher),
        limit_bytes_total=router_data_limit(voucher),
        comment=MANAGED_COMMENT,
    )


def user_put(client, voucher, *, probably_new: bool = False) -> tuple[str, bool]:
    """Make sure the voucher's user exists with its current limits (an existing
    user keeps the router's usage counters). Returns (``.id``, created).

    ``probably_new`` (a redemption: the user is usually not there yet) adds
    straight away, one round trip instead of a look then an add; if the router
    refuses and the user turns out to exist (a copy pushed earlier), it is
    updated instead. Any other refusal is raised as it came.
    """
    if probably_new:
        try:
            return user_add(client, voucher), True
        except RouterCommandRejected:
            existing = user_find(client, voucher.code)
            if existing is None:
                raise
            return _user_refresh(client, existing, voucher), False
    existing = user_find(client, voucher.code)
    if existing is None:
        return user_add(client, voucher), True
    return _user_refresh(client, existing, voucher), False


def _user_refresh(client, existing, voucher) -> str:
    client.hotspot_user_set(
        existing.id,
        password=voucher.password,
        profile=voucher.package.profile_name,
        limit_uptime=router_time_limit(voucher) or "0s",
        limit_bytes_total=router_data_limit(voucher) or 0,
        disabled=False,
    )
    return existing.id


def user_remove(client, name: str) -> bool:
    """Remove the user (RouterOS then ends its sessions). False if it was not there."""
    existing = client.hotspot_users(name=name)
    if not existing:
        return False
    client.hotspot_user_remove(*[user.id for user in existing])
    return True


def user_kick(client, name: str) -> int:
    sessions = client.hotspot_active(user=name)
    if sessions:
        client.hotspot_active_remove(*[session.id for session in sessions])
    return len(sessions)


def user_login(client, voucher, *, ip: str | None, mac: str | None) -> None:
    client.hotspot_active_login(
        user=voucher.code, password=voucher.password, ip=ip or None, mac_address=mac or None
    )


REMOVE_CHUNK = 200


def users_remove(client, names) -> tuple[set[str], int]:
    """Remove many users on one connection: one listing, removal in chunks.

    Their sessions are ended first, so no device stays online whatever the
    router does with sessions of a removed user. Returns (names removed,
    sessions ended).
    """
    names = set(names)
    if not names:
        return set(), 0
    if len(names) <= 3:
        users = [user for name in names for user in client.hotspot_users(name=name)]
        sessions = [s for name in names for s in client.hotspot_active(user=name)]
    else:
        users = [user for user in client.hotspot_users() if user.name in names]
        sessions = [s for s in client.hotspot_active() if s.user in names]
    session_ids = [session.id for session in sessions]
    _remove_all(client.hotspot_active_remove, session_ids)
    _remove_all(client.hotspot_user_remove, [user.id for user in users])
    return {user.name for user in users}, len(session_ids)


def _remove_all(remove, ids: list[str]) -> None:
    """Remove by ``.id`` in chunks; an item that vanished meanwhile (a session
    that ended by itself) is not an error."""
    for start in range(0, len(ids), REMOVE_CHUNK):
        chunk = ids[start : start + REMOVE_CHUNK]
        try:
            remove(*chunk)
        except RouterCommandRejected as error:
            if not error.is_missing_item:
                raise
            for item in chunk:
                try:
                    remove(item)
                except RouterCommandRejected as single:
                    if not single.is_missing_item:
                        raise

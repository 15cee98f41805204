"""Reads for the routers pages and other apps (all through the scoped manager)."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from routers.models import (
    ActiveSession,
    InterfaceTrafficSample,
    Router,
    RouterEvent,
    RouterInterface,
)

OFFLINE_STATUSES = (Router.Status.OFFLINE, Router.Status.AUTH_FAILED, Router.Status.ERROR)


def router_list(*, status: str = "", site: str = "", q: str = ""):
    routers = Router.objects.all()
    if status:
        routers = routers.filter(status=status)
    if site:
        routers = routers.filter(site=site)
    if q:
        routers = routers.filter(
            Q(name__icontains=q)
            | Q(host__icontains=q)
            | Q(identity__icontains=q)
            | Q(site__icontains=q)
        )
    return routers.order_by("name").defer("password", "notes")


def router_sites() -> list[str]:
    return list(
        Router.objects.exclude(site="").order_by("site").values_list("site", flat=True).distinct()
    )


def fleet_summary() -> dict:
    """Counts for the list header and the dashboard widget (one query)."""
    totals = Router.objects.aggregate(
        total=Count("id"),
        online=Count("id", filter=Q(status=Router.Status.ONLINE)),
        offline=Count("id", filter=Q(status__in=OFFLINE_STATUSES)),
        unknown=Count("id", filter=Q(status=Router.Status.UNKNOWN)),
        hotspot=Sum("hotspot_sessions_count", filter=Q(status=Router.Status.ONLINE)),
        ppp=Sum("ppp_sessions_count", filter=Q(status=Router.Status.ONLINE)),
    )
    totals["hotspot"] = totals["hotspot"] or 0
    totals["ppp"] = totals["ppp"] or 0
    totals["users_online"] = totals["hotspot"] + totals["ppp"]
    return totals


def router_sessions(*, router: Router, q: str = "", kind: str = ""):
    sessions = ActiveSession.objects.filter(router=router)
    if kind:
        sessions = sessions.filter(kind=kind)
    if q:
        sessions = sessions.filter(
            Q(username__icontains=q) | Q(address__icontains=q) | Q(mac_address__icontains=q)
        )
    return sessions.order_by("username", "id")


def router_interfaces(*, router: Router) -> list[RouterInterface]:
    """Interfaces with their rates over the last poll interval (``rx_bps``/``tx_bps``)."""
    interfaces = list(RouterInterface.objects.filter(router=router).order_by("name"))
    latest = {}
    if router.last_seen_at is not None:
        latest = {
            sample.interface_id: sample
            for sample in InterfaceTrafficSample.objects.filter(
                router=router, taken_at=router.last_seen_at
            )
        }
    for interface in interfaces:
        sample = latest.get(interface.pk)
        interface.rx_bps = sample.rx_bytes * 8 / sample.interval_seconds if sample else None
        interface.tx_bps = sample.tx_bytes * 8 / sample.interval_seconds if sample else None
    return interfaces


def router_events(*, router: Router | None = None, kind: str = ""):
    events = RouterEvent.objects.select_related("router")
    if router is not None:
        events = events.filter(router=router)
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("-created_at", "-id")


def routers_for_choice():
    """Routers for pickers in other apps (e.g. "push vouchers to…")."""
    return Router.objects.order_by("name").only("id", "name", "site", "status")

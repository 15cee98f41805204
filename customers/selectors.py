"""Reads: the filtered customer list, search, the detail page's sections.

Every read runs under the active tenant (the scoped manager), and every page
costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import validation
from customers.models import Customer, CustomerDevice, CustomerEvent, CustomerImport, Tag
from customers.pagination import KeysetPage, SortKey, keyset_page
from nettportal.charts import BYTES, Series, bar_chart
from nettportal.phones import normalize_phone

SORTS = {
    "-created": [SortKey.datetime("created_at", True), SortKey.integer("id", True)],
    "created": [SortKey.datetime("created_at"), SortKey.integer("id")],
    "name": [SortKey.text("sort_name"), SortKey.integer("id")],
    "-name": [SortKey.text("sort_name", True), SortKey.integer("id", True)],
}
DEFAULT_SORT = "-created"
PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 50
_PHONE_CHARS = re.compile(r"^[\d\s+\-().]+$")


@dataclass(frozen=True)
class CustomerFilters:
    """What the list shows: parsed from the query string by ``CustomerFilterForm``."""

    q: str = ""
    customer_type: str = ""
    status: str = ""
    tag_id: int | None = None
    profile: str = ""
    router_id: int | None = None
    sort: str = DEFAULT_SORT

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q
            or self.customer_type
            or self.status
            or self.tag_id
            or self.profile
            or self.router_id
        )

    def without_sort(self):
        return replace(self, sort=DEFAULT_SORT)


def _pppoe_model():
    from customers.models import PppoeAccount

    return PppoeAccount


def customer_search_q(term: str, *, region: str | None) -> Q:
    """One search box for name, phone (any spelling), email, PPPoE username and MAC.

    The kind of term decides which index answers it: a full phone number is
    normalised to E.164 and matched exactly; part of a number matches digits
    anywhere (a leading trunk 0 dropped); a MAC address matches devices seen;
    anything else matches name, email or username by substring (trigram
    indexes on PostgreSQL).
    """
    term = " ".join(term.split())[:100]
    if not term:
        return Q()
    PppoeAccount = _pppoe_model()
    mac_condition = Q()
    if validation.looks_like_mac(term):
        mac = validation.normalize_mac(term)
        mac_condition = Q(
            pk__in=CustomerDevice.objects.filter(mac_address=mac).values("customer_id")
        )
        if not term.isdigit():  # twelve digits could also be a phone number
            return mac_condition
    digits = re.sub(r"\D", "", term)
    if _PHONE_CHARS.match(term) and len(digits) >= 3:
        try:
            return Q(phone=normalize_phone(term, region)) | mac_condition
        except ValidationError:
            pass
        needle = digits.lstrip("0") or digits
        condition = Q(phone__contains=needle) | mac_condition
        if PppoeAccount is not None:
            condition |= Q(pk__in=_username_matches(PppoeAccount, term))
        return condition
    if "@" in term:
        return Q(email__icontains=term)
    condition = Q(name__icontains=term) | Q(email__icontains=term)
    if PppoeAccount is not None:
        condition |= Q(pk__in=_username_matches(PppoeAccount, term))
    return condition


def _username_matches(PppoeAccount, term: str) -> list[int]:
    """Ids of customers whose PPPoE username contains ``term`` (a literal list, so the
    database can OR it with the other indexes instead of running a subplan per row)."""
    return list(
        PppoeAccount.objects.filter(username__icontains=term)
        .values_list("customer_id", flat=True)
        .distinct()[:1000]
    )


def customer_queryset(*, organization, filters: CustomerFilters) -> QuerySet:
    """The active tenant's customers matching ``filters`` (unordered)."""
    queryset = Customer.objects.all()
    if filters.q:
        queryset = queryset.filter(customer_search_q(filters.q, region=organization.country))
    if filters.customer_type:
        queryset = queryset.filter(customer_type=filters.customer_type)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.tag_id:
        queryset = queryset.filter(
            pk__in=Customer.tags.through.objects.filter(tag_id=filters.tag_id).values("customer_id")
        )
    PppoeAccount = _pppoe_model()
    if PppoeAccount is not None and (filters.profile or filters.router_id):
        accounts = PppoeAccount.objects.all()
        if filters.profile:
            accounts = accounts.filter(profile=filters.profile)
        if filters.router_id:
            accounts = accounts.filter(router_id=filters.router_id)
        queryset = queryset.filter(pk__in=accounts.values("customer_id"))
    return queryset


def _with_sort_keys(queryset: QuerySet, sort: str) -> QuerySet:
    if sort in ("name", "-name"):
        queryset = queryset.annotate(sort_name=Lower("name"))
    return queryset


def customer_page(
    *,
    organization,
    filters: CustomerFilters,
    per_page: int = DEFAULT_PER_PAGE,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    with_count: bool = False,
) -> KeysetPage:
    """One page of the customer list with tags and services prefetched."""
    keys = SORTS.get(filters.sort) or SORTS[DEFAULT_SORT]
    queryset = customer_queryset(organization=organization, filters=filters)
    page_queryset = _with_sort_keys(queryset, filters.sort).prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    )
    PppoeAccount = _pppoe_model()
    if PppoeAccount is not None:
        page_queryset = page_queryset.prefetch_related(
            Prefetch(
                "pppoe_accounts",
                queryset=PppoeAccount.objects.order_by("username").only(
                    "id", "customer_id", "username", "profile", "router_id"
                ),
            )
        )
    page = keyset_page(
        page_queryset, keys, per_page=per_page, after=after, before=before, last=last
    )
    if with_count:
        page.extra["count"] = customer_count(organization=organization, filters=filters)
    return page


# --- counts (cached: counting 100,000 rows costs more than the page itself) --------------

COUNT_TTL = 300


def _version_key(organization_id: int) -> str:
    return f"customers:version:{organization_id}"


def customers_changed(organization_id: int) -> None:
    """Forget cached counts of the organisation (call after commit of any change that
    adds, removes or re-files customers)."""
    from django.core.cache import cache

    try:
        cache.incr(_version_key(organization_id))
    except ValueError:
        cache.set(_version_key(organization_id), 1, None)


def _cached(organization_id: int, name: str, compute):
    import hashlib

    from django.core.cache import cache

    version = cache.get(_version_key(organization_id), 0)
    digest = hashlib.sha256(name.encode()).hexdigest()[:24]
    key = f"customers:count:{organization_id}:{version}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, COUNT_TTL)
    return value


def customer_count(*, organization, filters: CustomerFilters) -> int:
    """How many customers match ``filters`` (cached until the next change)."""
    return _cached(
        organization.pk,
        repr(filters.without_sort()),
        lambda: customer_queryset(organization=organization, filters=filters).count(),
    )


def customer_counts(*, organization) -> dict:
    """Totals for the dashboard widget (one query, cached until the next change)."""
    return _cached(organization.pk, "dashboard", lambda: _counts())


def _counts() -> dict:
    week_ago = timezone.now() - timedelta(days=7)
    return Customer.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=Customer.Status.ACTIVE)),
        suspended=Count("pk", filter=Q(status=Customer.Status.SUSPENDED)),
        pppoe=Count("pk", filter=Q(customer_type=Customer.Type.PPPOE)),
        new_this_week=Count("pk", filter=Q(created_at__gte=week_ago)),
    )


def tag_list() -> list[Tag]:
    return list(Tag.objects.order_by("name"))


def profile_names(*, organization=None) -> list[str]:
    """PPPoE profile (package) names in use, for the filter and the import check
    (cached per organisation until the next change when ``organization`` is given)."""
    PppoeAccount = _pppoe_model()

    def compute():
        return list(
            PppoeAccount.objects.order_by("profile").values_list("profile", flat=True).distinct()
        )

    if organization is None:
        return compute()
    return _cached(organization.pk, "profiles", compute)


# --- detail page ---------------------------------------------------------------------


def customer_for_detail(customer_id) -> Customer | None:
    return (
        Customer.objects.filter(pk=customer_id)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .first()
    )


def customer_devices(*, customer: Customer, limit: int = 20) -> list[CustomerDevice]:
    return list(CustomerDevice.objects.filter(customer=customer).order_by("-last_seen_at")[:limit])


def customer_events(*, customer: Customer, limit: int = 20) -> list[CustomerEvent]:
    return list(
        CustomerEvent.objects.filter(customer=customer)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def import_list(*, limit: int = 10) -> list[CustomerImport]:
    return list(
        CustomerImport.objects.select_related("created_by", "job").order_by("-created_at")[:limit]
    )


def tag_usage() -> list[dict]:
    return list(
        Tag.objects.annotate(customer_count=Count("customers"))
        .order_by("name")
        .values("id", "name", "customer_count")
    )


def sum_or_zero(queryset, *fields) -> dict:
    totals = queryset.aggregate(**{name: Sum(name) for name in fields})
    return {name: totals[name] or 0 for name in fields}


def customer_detail_sections(*, customer: Customer, organization) -> dict:
    """Everything the detail page shows besides the profile: a fixed number of queries."""
    from customers.models import PppoeAccount

    usage = customer_usage(customer=customer, organization=organization)
    return {
        "devices": customer_devices(customer=customer),
        "events": customer_events(customer=customer),
        "pppoe_accounts": list(
            PppoeAccount.objects.filter(customer=customer)
            .select_related("router")
            .order_by("username")
        ),
        "sessions": customer_sessions(customer=customer),
        **usage,
    }


def _local_today(organization):
    import zoneinfo

    try:
        zone = zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def customer_usage(*, customer: Customer, organization, days: int = 30) -> dict:
    """The last ``days`` local days of usage (zero-filled), totals, and the chart."""
    from customers.models import UsageDaily

    today = _local_today(organization)
    first = today - timedelta(days=days - 1)
    rows = {
        row["day"]: row
        for row in UsageDaily.objects.filter(customer=customer, day__gte=first).values(
            "day", "bytes_in", "bytes_out", "seconds", "sessions"
        )
    }
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = rows.get(day) or {}
        series.append(
            {
                "day": day,
                "bytes_in": row.get("bytes_in", 0),
                "bytes_out": row.get("bytes_out", 0),
                "seconds": row.get("seconds", 0),
                "sessions": row.get("sessions", 0),
            }
        )
    totals = {
        name: sum(item[name] for item in series)
        for name in ("bytes_in", "bytes_out", "seconds", "sessions")
    }
    return {"usage_days": series, "usage_totals": totals, "usage_chart": _usage_chart(series)}


def _usage_chart(days: list[dict]):
    """Download stacked under upload, one bar a day."""
    return bar_chart(
        key="usage",
        title=_("Daily download and upload, last %(n)s days") % {"n": len(days)},
        labels=[f"{item['day']:%d %b}" for item in days],
        long_labels=[f"{item['day']:%a %d %b}" for item in days],
        series=[
            Series(_("Download"), [item["bytes_out"] for item in days], "s1"),
            Series(_("Upload"), [item["bytes_in"] for item in days], "s4"),
        ],
        unit=BYTES,
        stacked=True,
        x_header=_("Day"),
        max_x_labels=6,
        height=170,
        font_size=10,
        empty_text=_("No usage in the last 30 days."),
    )


SESSION_KEYS = [SortKey.datetime("started_at", True), SortKey.integer("id", True)]


def customer_sessions(*, customer: Customer, per_page: int = 20, after: str | None = None):
    """The customer's sessions, newest first, a keyset page at a time."""
    from customers.models import UsageSession

    return keyset_page(
        UsageSession.objects.filter(customer=customer).select_related("router"),
        SESSION_KEYS,
        per_page=per_page,
        after=after,
    )


def online_now(*, within_seconds: int | None = None) -> int:
    """Sessions seen by the last poll or two (open and recently confirmed)."""
    from django.conf import settings

    from customers.models import UsageSession

    window = within_seconds or 3 * getattr(settings, "ROUTER_POLL_INTERVAL", 60)
    return UsageSession.objects.filter(
        ended_at__isnull=True, last_seen_at__gte=timezone.now() - timedelta(seconds=window)
    ).count()

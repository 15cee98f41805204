"""Reads for the privacy centre, the banners and the admin."""

from __future__ import annotations

import time

from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import all_tenants
from privacy.models import (
    AccessLog,
    AccountDeletion,
    ConsentEvent,
    DataExport,
    LegalHold,
    MarketingConsent,
    PolicyAcceptance,
    PolicyDocument,
    PrivacyRequest,
)
from privacy.models.consent import MARKETING_TOPICS

# --- policy documents -----------------------------------------------------------------


def policy_current(kind: str) -> PolicyDocument | None:
    """The version of one document kind in force today."""
    return (
        PolicyDocument.objects.filter(
            kind=kind, published_at__isnull=False, effective_on__lte=timezone.localdate()
        )
        .order_by("-effective_on", "-published_at")
        .first()
    )


def policies_current() -> list[PolicyDocument]:
    documents = [policy_current(kind) for kind in PolicyDocument.Kind.values]
    return [document for document in documents if document is not None]


def policy_upcoming(kind: str) -> PolicyDocument | None:
    """A published version that takes effect later (announced in advance)."""
    return (
        PolicyDocument.objects.filter(
            kind=kind, published_at__isnull=False, effective_on__gt=timezone.localdate()
        )
        .order_by("effective_on")
        .first()
    )


def policy_versions(kind: str):
    return PolicyDocument.objects.filter(kind=kind, published_at__isnull=False).order_by(
        "-effective_on", "-published_at"
    )


# The newest significant versions change a few times a year but are read on
# every dashboard page: each process keeps them for a minute (publishing
# clears this process's copy at once; other processes follow within a minute).
_SIGNIFICANT_TTL = 60.0
_significant = {"value": None, "expires": 0.0}


def _latest_significant() -> list[dict]:
    """The newest published significant version of each kind."""
    now = time.monotonic()
    if _significant["value"] is not None and _significant["expires"] > now:
        return _significant["value"]
    latest = {}
    for document in PolicyDocument.objects.filter(
        published_at__isnull=False, is_significant=True
    ).order_by("kind", "-effective_on", "-published_at"):
        latest.setdefault(document.kind, document)
    value = [
        {
            "id": document.pk,
            "kind": document.kind,
            "kind_label": str(document.get_kind_display()),
            "version": document.version,
            "effective_on": document.effective_on.isoformat(),
            "summary": document.summary,
        }
        for document in latest.values()
    ]
    _significant.update(value=value, expires=now + _SIGNIFICANT_TTL)
    return value


def policies_to_acknowledge(user) -> list[dict]:
    """Significant changes ``user`` has not acknowledged yet (no query while
    there are none; one when there are).

    Accepting a later version of the same kind also counts.
    """
    if not user.is_authenticated:
        return []
    latest = _latest_significant()
    if not latest:
        return []
    accepted = set(
        PolicyAcceptance.objects.filter(
            user=user, document__kind__in=[item["kind"] for item in latest]
        ).values_list("document__kind", "document__effective_on")
    )
    pending = []
    for item in latest:
        if not any(
            kind == item["kind"] and effective.isoformat() >= item["effective_on"]
            for kind, effective in accepted
        ):
            pending.append(item)
    return pending


def significant_cache_clear() -> None:
    _significant.update(value=None, expires=0.0)


# --- exports ----------------------------------------------------------------------------


def export_list(*, organization):
    return DataExport.objects.filter(organization=organization).select_related(
        "job", "requested_by"
    )


def export_active(*, organization) -> DataExport | None:
    return (
        DataExport.objects.filter(
            organization=organization,
            kind=DataExport.Kind.ORGANIZATION,
            status__in=DataExport.ACTIVE,
        )
        .select_related("job")
        .first()
    )


# --- privacy requests -------------------------------------------------------------------

REQUEST_FILTERS = {
    "open": Q(status__in=PrivacyRequest.OPEN_STATUSES),
    "overdue": Q(status__in=PrivacyRequest.OPEN_STATUSES),
    "closed": ~Q(status__in=PrivacyRequest.OPEN_STATUSES),
    "all": Q(),
}


def privacy_request_list(*, organization, state: str = "open", kind: str = ""):
    queryset = PrivacyRequest.objects.filter(organization=organization).filter(
        REQUEST_FILTERS.get(state, REQUEST_FILTERS["open"])
    )
    if state == "overdue":
        queryset = queryset.filter(due_at__lt=timezone.now())
    if kind in PrivacyRequest.Kind.values:
        queryset = queryset.filter(kind=kind)
    order = ["due_at", "pk"] if state in ("open", "overdue") else ["-received_at", "-pk"]
    return queryset.select_related("handled_by").order_by(*order)


def privacy_request_counts(*, organization) -> dict:
    open_requests = PrivacyRequest.objects.filter(
        organization=organization, status__in=PrivacyRequest.OPEN_STATUSES
    )
    return {
        "open": open_requests.count(),
        "overdue": open_requests.filter(due_at__lt=timezone.now()).count(),
    }


# --- deletion ---------------------------------------------------------------------------


def deletion_active(*, organization) -> AccountDeletion | None:
    return (
        AccountDeletion.objects.filter(organization=organization, status__in=AccountDeletion.ACTIVE)
        .order_by("-requested_at")
        .first()
    )


def legal_hold_active(*, organization) -> LegalHold | None:
    return LegalHold.objects.filter(organization=organization, released_at__isnull=True).first()


# --- access log -------------------------------------------------------------------------


def access_log_list(*, organization, filters: dict):
    queryset = AccessLog.objects.filter(organization=organization)
    if filters.get("action"):
        queryset = queryset.filter(action=filters["action"])
    if filters.get("via"):
        queryset = queryset.filter(via=filters["via"])
    if filters.get("target_type"):
        queryset = queryset.filter(target_type=filters["target_type"])
    if filters.get("actor"):
        queryset = queryset.filter(actor_label__icontains=filters["actor"])
    if filters.get("since"):
        queryset = queryset.filter(at__date__gte=filters["since"])
    if filters.get("until"):
        queryset = queryset.filter(at__date__lte=filters["until"])
    return queryset.order_by("-at", "-pk")


def access_log_target_types(*, organization) -> list[str]:
    return list(
        AccessLog.objects.filter(organization=organization)
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )


# --- consent ----------------------------------------------------------------------------


def marketing_choices(user) -> dict[str, bool]:
    granted = dict(MarketingConsent.objects.filter(user=user).values_list("topic", "is_granted"))
    return {topic: bool(granted.get(topic, False)) for topic in MARKETING_TOPICS}


def consent_history(user, limit: int = 50):
    return ConsentEvent.objects.filter(user=user).order_by("-at", "-pk")[:limit]


def marketing_recipients(topic: str):
    """Users who opted in to ``topic`` and can receive email, in id order."""
    from accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            marketing_consents__topic=topic,
            marketing_consents__is_granted=True,
        )
        .order_by("pk")
        .only("pk", "email", "full_name")
    )


def organizations_of_user(user) -> list:
    from accounts.models import Membership

    with all_tenants():
        return list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))

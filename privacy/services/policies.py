"""Publishing policy versions, notifying significant changes, recording acceptance."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nettportal.errors import Conflict, ValidationFailed
from privacy.models import PolicyAcceptance, PolicyDocument
from privacy.selectors import (
    policies_current,
    policies_to_acknowledge,
    significant_cache_clear,
)


@transaction.atomic
def policies_accept_current(*, user, ip_address: str | None) -> list[PolicyAcceptance]:
    """Record that ``user`` accepted the current privacy policy, terms and DPA."""
    acceptances = []
    for document in policies_current():
        acceptance, _created = PolicyAcceptance.objects.get_or_create(
            user=user, document=document, defaults={"ip_address": ip_address}
        )
        acceptances.append(acceptance)
    return acceptances


@transaction.atomic
def policy_create_draft(
    *,
    kind: str,
    version: str,
    last_updated,
    effective_on,
    body: str,
    summary: str = "",
    is_significant: bool = False,
) -> PolicyDocument:
    if kind not in PolicyDocument.Kind.values:
        raise ValidationFailed(_("Choose a document kind from the list."), field="kind")
    if not body.strip():
        raise ValidationFailed(_("The document needs a text."), field="body")
    if effective_on < last_updated:
        raise ValidationFailed(
            _("A version cannot take effect before its “last updated” date."),
            field="effective_on",
        )
    try:
        with transaction.atomic():
            return PolicyDocument.objects.create(
                kind=kind,
                version=version.strip(),
                last_updated=last_updated,
                effective_on=effective_on,
                body=body,
                summary=summary.strip(),
                is_significant=is_significant,
            )
    except IntegrityError:
        raise Conflict(_("This version number is already used."), field="version") from None


@transaction.atomic
def policy_publish(*, document: PolicyDocument, actor) -> PolicyDocument:
    """Publish a draft. A significant change is emailed to every owner (after
    commit, by a task) and shows a banner until each user acknowledges it."""
    locked = PolicyDocument.objects.select_for_update().get(pk=document.pk)
    if locked.published_at is not None:
        raise Conflict(_("This version is already published."))
    if locked.is_significant and not locked.summary.strip():
        raise ValidationFailed(
            _("Describe what changed: the summary goes into the email and the banner."),
            field="summary",
        )
    locked.published_at = timezone.now()
    locked.published_by = actor
    locked.save(update_fields=["published_at", "published_by"])
    significant_cache_clear()
    transaction.on_commit(significant_cache_clear)
    if locked.is_significant:
        from privacy.tasks import policy_notify_owners_task

        transaction.on_commit(lambda: policy_notify_owners_task.delay(locked.pk))
    return locked


def policy_owner_recipients():
    """Every active user who owns at least one organisation, once each."""
    from accounts.models import Membership, User
    from accounts.roles import Role
    from accounts.tenancy import all_tenants

    with all_tenants():
        owner_ids = Membership.objects.filter(role=Role.OWNER).values("user_id")
        return User.objects.filter(pk__in=owner_ids, is_active=True).order_by("pk")


def policy_notify_owners(*, document_id: int, chunk_size: int = 500) -> int:
    """Tell every owner about a significant change, once (``notified_at``).

    ``policy.changed`` goes through ``notify`` in one of the organisations the
    user owns (the oldest membership), so someone owning several hears it once.
    """
    from collections import defaultdict

    from django.urls import reverse

    from accounts.models import Membership, Organization
    from accounts.roles import Role
    from accounts.tenancy import all_tenants, tenant
    from notifications.services import notify

    claimed = PolicyDocument.objects.filter(
        pk=document_id, is_significant=True, published_at__isnull=False, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if not claimed:
        return 0
    document = PolicyDocument.objects.get(pk=document_id)
    context = {
        "document": document,
        "document_label": document.get_kind_display(),
        "last_updated": document.last_updated,
        "summary": document.summary,
    }
    url = reverse(f"policy_{document.kind}")
    sent = 0
    last = 0
    while True:
        users = list(policy_owner_recipients().filter(pk__gt=last)[:chunk_size])
        if not users:
            return sent
        by_user = {user.pk: user for user in users}
        home = {}
        with all_tenants():
            for user_id, organization_id in (
                Membership.objects.filter(user_id__in=by_user, role=Role.OWNER)
                .order_by("created_at", "pk")
                .values_list("user_id", "organization_id")
            ):
                home.setdefault(user_id, organization_id)
            organizations = Organization.objects.in_bulk(set(home.values()))
        groups = defaultdict(list)
        for user_id, organization_id in home.items():
            groups[organization_id].append(by_user[user_id])
        with transaction.atomic():
            for organization_id, owners in sorted(groups.items()):
                organization = organizations[organization_id]
                with tenant(organization):
                    notify(
                        organization=organization,
                        event="policy.changed",
                        context=context,
                        url=url,
                        recipients=owners,
                    )
        sent += len(users)
        last = users[-1].pk


@transaction.atomic
def policies_acknowledge(*, user, ip_address: str | None) -> int:
    """Record acceptance of every version the user was asked to acknowledge."""
    pending = policies_to_acknowledge(user)
    for item in pending:
        PolicyAcceptance.objects.get_or_create(
            user=user, document_id=item["id"], defaults={"ip_address": ip_address}
        )
    return len(pending)

"""PPPoE service accounts and their ``/ppp/secret`` on the router.

Writes to our database happen in services (one transaction, version bumped);
the router is brought in line afterwards, by a task per router enqueued on
commit, through the routers app's client (never librouteros directly):

* an active customer's secret is enabled; a suspended or closed customer's
  secret is disabled and their ``/ppp/active`` session removed, so they are
  cut off at once and cannot reconnect;
* a renamed or moved account has its old secret removed (unless another
  account now uses that name on that router);
* reconciliation compares each router's secrets with our accounts and fixes
  drift: missing secrets recreated, wrong state/profile corrected, active
  sessions of disabled accounts removed, and secrets we created (comment
  ``nettportal:<id>``) whose account no longer exists removed. Secrets the
  operator made by hand are left alone.

A router that cannot be reached leaves the account "sync failed" with the
reason; the retry task tries again every few minutes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import validation
from customers.models import Customer, CustomerEvent, PppoeAccount
from nettportal.errors import ExternalServiceError, ValidationFailed

logger = logging.getLogger(__name__)

OUR_COMMENT_PREFIX = "nettportal:"
EDITABLE = ("router", "username", "password", "profile", "rate_limit", "remote_address")


def _router_model():
    from routers.models import Router

    return Router


def router_list() -> list:
    """The tenant's routers for choice lists (name order)."""
    return list(_router_model().objects.order_by("name").only("id", "name"))


def router_choices_by_name() -> dict[str, int]:
    return {name.lower(): pk for pk, name in _router_model().objects.values_list("pk", "name")}


def usernames_taken(usernames: Iterable[str], *, exclude_id: int | None = None) -> set[str]:
    """Which of these (lower-cased) usernames already have an account in the tenant."""
    wanted = [name.lower() for name in usernames]
    if not wanted:
        return set()
    queryset = PppoeAccount.objects.annotate(lname=Lower("username")).filter(lname__in=wanted)
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return set(queryset.values_list("lname", flat=True))


def _clean_fields(fields: dict, *, exclude_id=None) -> dict:
    cleaned = {}
    cleaners = {
        "username": validation.clean_username,
        "password": validation.clean_password,
        "profile": validation.clean_profile,
        "rate_limit": validation.clean_rate_limit,
    }
    for name, value in fields.items():
        if name in cleaners:
            try:
                cleaned[name] = cleaners[name](value)
            except ValidationError as error:
                raise ValidationFailed(error.messages[0], field=name) from None
        elif name == "remote_address":
            cleaned[name] = value or None
        elif name == "router":
            if value is None:
                raise ValidationFailed(
                    _("Choose the router this account lives on."), field="router"
                )
            cleaned[name] = value
    if "username" in cleaned and usernames_taken([cleaned["username"]], exclude_id=exclude_id):
        raise ValidationFailed(_("This username is already in use."), field="username")
    return cleaned


def _enqueue_sync(organization_id: int, accounts: Iterable[tuple[int, int | None]]) -> None:
    """After commit, one sync task per router for the given (account id, router id).

    Also drops the cached list counts (package and router filters change)."""
    from customers.services.customers import forget_counts

    forget_counts(organization_id)
    by_router = defaultdict(list)
    for account_id, router_id in accounts:
        if router_id is not None:
            by_router[router_id].append(account_id)
    if not by_router:
        return
    from customers.tasks import sync_pppoe_accounts_task

    def enqueue():
        for router_id, ids in by_router.items():
            sync_pppoe_accounts_task.delay(organization_id, router_id, sorted(ids))

    transaction.on_commit(enqueue)


@transaction.atomic
def pppoe_account_create(
    *,
    customer: Customer,
    actor=None,
    router,
    username: str,
    password: str,
    profile: str = "default",
    rate_limit: str = "",
    remote_address: str | None = None,
) -> PppoeAccount:
    fields = _clean_fields(
        {
            "router": router,
            "username": username,
            "password": password,
            "profile": profile,
            "rate_limit": rate_limit,
            "remote_address": remote_address,
        }
    )
    account = PppoeAccount(
        organization_id=customer.organization_id,
        customer=customer,
        is_enabled=customer.status == Customer.Status.ACTIVE,
        **fields,
    )
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ValidationFailed(_("This username is already in use."), field="username") from None
    if customer.customer_type != Customer.Type.PPPOE:
        Customer.objects.filter(pk=customer.pk).update(
            customer_type=Customer.Type.PPPOE, updated_at=timezone.now()
        )
        customer.customer_type = Customer.Type.PPPOE
    CustomerEvent.objects.create(
        organization_id=customer.organization_id,
        customer=customer,
        kind=CustomerEvent.Kind.SERVICE,
        message=_("PPPoE account %(u)s added") % {"u": account.username},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    _enqueue_sync(customer.organization_id, [(account.pk, account.router_id)])
    return account


@transaction.atomic
def pppoe_account_update(*, account: PppoeAccount, actor=None, **changes) -> list[str]:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if changes.get("password") in ("", None):
        changes.pop("password", None)  # blank means "keep the current password"
    fields = _clean_fields(changes, exclude_id=account.pk)
    changed = [name for name, value in fields.items() if getattr(account, name) != value]
    if not changed:
        return []
    old_username, old_router_id = account.username, account.router_id
    for name in changed:
        setattr(account, name, fields[name])
    account.version = F("version") + 1
    account.sync_state = PppoeAccount.SyncState.PENDING
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ValidationFailed(_("This username is already in use."), field="username") from None
    account.refresh_from_db()
    labels = ", ".join(str(PppoeAccount._meta.get_field(name).verbose_name) for name in changed)
    CustomerEvent.objects.create(
        organization_id=account.organization_id,
        customer_id=account.customer_id,
        kind=CustomerEvent.Kind.SERVICE,
        message=_("PPPoE account changed: %(fields)s") % {"fields": labels},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    _enqueue_sync(account.organization_id, [(account.pk, account.router_id)])
    if old_router_id is not None and (
        old_router_id != account.router_id or old_username.lower() != account.username.lower()
    ):
        _enqueue_removal(account.organization_id, old_router_id, old_username)
    return changed


def _enqueue_removal(organization_id: int, router_id: int, username: str) -> None:
    from customers.tasks import remove_pppoe_secret_task

    transaction.on_commit(
        lambda: remove_pppoe_secret_task.delay(organization_id, router_id, username)
    )


@transaction.atomic
def pppoe_account_delete(*, account: PppoeAccount, actor=None) -> None:
    """Delete the account; its secret (and any session) is removed from the router after commit."""
    organization_id, router_id, username = (
        account.organization_id,
        account.router_id,
        account.username,
    )
    CustomerEvent.objects.create(
        organization_id=organization_id,
        customer_id=account.customer_id,
        kind=CustomerEvent.Kind.SERVICE,
        message=_("PPPoE account %(u)s removed") % {"u": username},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    account.delete()
    from customers.services.customers import forget_counts

    forget_counts(organization_id)
    if router_id is not None:
        _enqueue_removal(organization_id, router_id, username)


def pppoe_accounts_follow_customers(*, organization_id: int, customer_ids: Iterable[int]) -> int:
    """The customers' status changed: bring their secrets along (after commit)."""
    accounts = list(
        PppoeAccount.objects.filter(customer_id__in=list(customer_ids)).values_list(
            "pk", "router_id"
        )
    )
    if not accounts:
        return 0
    PppoeAccount.objects.filter(pk__in=[pk for pk, _router in accounts]).update(
        version=F("version") + 1,
        sync_state=PppoeAccount.SyncState.PENDING,
        updated_at=timezone.now(),
    )
    _enqueue_sync(organization_id, accounts)
    return len(accounts)


def pppoe_accounts_import(*, organization, rows) -> list[PppoeAccount]:
    """Accounts for freshly imported customers (``rows``: (customer, cleaned dict))."""
    accounts = PppoeAccount.objects.bulk_create(
        [
            PppoeAccount(
                organization=organization,
                customer=customer,
                router_id=data["router_id"],
                username=data["username"],
                password=data["password"],
                profile=data["profile"],
                rate_limit=data.get("rate_limit", ""),
                is_enabled=customer.status == Customer.Status.ACTIVE,
            )
            for customer, data in rows
        ]
    )
    _enqueue_sync(organization.pk, [(account.pk, account.router_id) for account in accounts])
    return accounts


# --- talking to the router ----------------------------------------------------------------


@dataclass
class SyncReport:
    synced: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)


def _desired_enabled(account: PppoeAccount) -> bool:
    return account.customer.status == Customer.Status.ACTIVE


def _apply(client, account: PppoeAccount, *, secrets_by_name=None) -> tuple[str, list[str]]:
    """Make the router's secret match ``account``; returns (secret .id, what was done)."""
    enabled = _desired_enabled(account)
    attributes = {
        "password": account.password,
        "profile": account.profile,
        "comment": account.comment,
        "disabled": not enabled,
    }
    if secrets_by_name is not None:
        existing = secrets_by_name.get(account.username.lower())
        existing = [existing] if existing else []
    else:
        existing = client.ppp_secrets(name=account.username)
    actions = []
    if existing:
        secret = existing[0]
        attributes["remote_address"] = account.remote_address or ""
        if secret.remote_address == attributes["remote_address"]:
            attributes.pop("remote_address")
        client.ppp_secret_set(secret.id, **attributes)
        secret_id = secret.id
        actions.append("updated")
    else:
        secret_id = client.ppp_secret_add(
            name=account.username,
            service="pppoe",
            remote_address=account.remote_address or None,
            **attributes,
        )
        actions.append("created")
    if not enabled:
        kicked = _kick(client, account.username)
        if kicked:
            actions.append(f"disconnected {kicked}")
    return secret_id, actions


def _kick(client, username: str) -> int:
    sessions = client.ppp_active(name=username)
    if sessions:
        client.ppp_active_remove(*[session.id for session in sessions])
    return len(sessions)


def _remove_secret(client, username: str) -> bool:
    secrets = client.ppp_secrets(name=username)
    if secrets:
        client.ppp_secret_remove(*[secret.id for secret in secrets])
    _kick(client, username)
    return bool(secrets)


def _router_error_types():
    from routers.routeros import RouterError

    return (RouterError,)


def pppoe_router_sync(*, router, account_ids: Iterable[int] | None = None) -> SyncReport:
    """Bring the given accounts (default: every pending or failed one) onto ``router``.

    One connection for all of them. Each account is marked in sync only if it
    did not change again meanwhile (its version is checked).
    """
    from routers.services import router_client

    queryset = PppoeAccount.objects.filter(router=router).select_related("customer")
    if account_ids is not None:
        queryset = queryset.filter(pk__in=list(account_ids))
    else:
        queryset = queryset.exclude(sync_state=PppoeAccount.SyncState.SYNCED)
    accounts = list(queryset.order_by("pk"))
    report = SyncReport()
    if not accounts:
        return report
    errors = _router_error_types()
    try:
        with router_client(router) as client:
            for account in accounts:
                try:
                    secret_id, actions = _apply(client, account)
                except errors as error:
                    if not _is_rejection(error):
                        raise
                    _mark_failed(account, str(error))
                    report.failed[account.pk] = str(error)
                    continue
                _mark_synced(account, secret_id)
                report.synced.append(account.pk)
                report.actions.append(f"{account.pk}: {', '.join(actions)}")
    except errors as error:
        message = str(error)
        for account in accounts:
            if account.pk not in report.synced and account.pk not in report.failed:
                _mark_failed(account, message)
                report.failed[account.pk] = message
    logger.info(
        "pppoe sync router=%s synced=%s failed=%s",
        router.pk,
        len(report.synced),
        len(report.failed),
    )
    return report


def _is_rejection(error) -> bool:
    from routers.routeros import RouterCommandRejected

    return isinstance(error, RouterCommandRejected)


def _mark_synced(account: PppoeAccount, secret_id: str) -> None:
    PppoeAccount.objects.filter(pk=account.pk, version=account.version).update(
        sync_state=PppoeAccount.SyncState.SYNCED,
        synced_version=account.version,
        synced_at=timezone.now(),
        sync_error="",
        router_secret_id=(secret_id or "")[:20],
        is_enabled=_desired_enabled(account),
    )


def _mark_failed(account: PppoeAccount, message: str) -> None:
    updated = (
        PppoeAccount.objects.filter(pk=account.pk, version=account.version)
        .exclude(sync_state=PppoeAccount.SyncState.FAILED)
        .update(sync_state=PppoeAccount.SyncState.FAILED, sync_error=message[:300])
    )
    if updated:
        CustomerEvent.objects.create(
            organization_id=account.organization_id,
            customer_id=account.customer_id,
            kind=CustomerEvent.Kind.ROUTER,
            message=_("PPPoE account %(u)s could not be synced: %(error)s")
            % {"u": account.username, "error": message[:200]},
        )
    else:
        PppoeAccount.objects.filter(pk=account.pk, version=account.version).update(
            sync_error=message[:300]
        )


def pppoe_secret_remove(*, router, username: str) -> bool:
    """Remove a secret we no longer want (deleted account). Raises ExternalServiceError."""
    from routers.services import router_client

    if PppoeAccount.objects.filter(router=router, username__iexact=username).exists():
        return False  # the name was reused by another account meanwhile: keep it
    try:
        with router_client(router) as client:
            return _remove_secret(client, username)
    except _router_error_types() as error:
        raise ExternalServiceError(str(error)) from error


@dataclass
class ReconcileReport:
    recreated: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    disconnected: list[str] = field(default_factory=list)
    removed_orphans: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def changed(self) -> int:
        return (
            len(self.recreated)
            + len(self.corrected)
            + len(self.disconnected)
            + len(self.removed_orphans)
        )


def pppoe_router_reconcile(*, router) -> ReconcileReport:
    """Compare the router's secrets with our accounts and fix what drifted."""
    from routers.services import router_client

    report = ReconcileReport()
    accounts = list(PppoeAccount.objects.filter(router=router).select_related("customer"))
    ours = {account.username.lower(): account for account in accounts}
    try:
        with router_client(router) as client:
            secrets = {secret.name.lower(): secret for secret in client.ppp_secrets()}
            active = defaultdict(list)
            for session in client.ppp_active():
                active[session.name.lower()].append(session.id)
            for key, account in ours.items():
                enabled = _desired_enabled(account)
                secret = secrets.get(key)
                if secret is None:
                    secret_id, _actions = _apply(client, account, secrets_by_name={})
                    report.recreated.append(account.username)
                    _mark_synced(account, secret_id)
                    _event(account, _("PPPoE secret was missing on the router; recreated."))
                    continue
                wrong = (
                    secret.disabled == enabled
                    or secret.profile != account.profile
                    or secret.service not in ("pppoe", "any")
                    or not secret.comment.startswith(OUR_COMMENT_PREFIX)
                    or secret.remote_address != (account.remote_address or "")
                )
                if wrong:
                    secret_id, _actions = _apply(client, account, secrets_by_name=secrets)
                    report.corrected.append(account.username)
                    _mark_synced(account, secret_id)
                    _event(account, _("PPPoE secret on the router differed; corrected."))
                elif not enabled and active.get(key):
                    client.ppp_active_remove(*active[key])
                    report.disconnected.append(account.username)
                    _event(account, _("Disconnected a session of a suspended account."))
                elif account.sync_state != PppoeAccount.SyncState.SYNCED:
                    _mark_synced(account, secret.id)
            for key, secret in secrets.items():
                if key not in ours and secret.comment.startswith(OUR_COMMENT_PREFIX):
                    _remove_secret(client, secret.name)
                    report.removed_orphans.append(secret.name)
    except _router_error_types() as error:
        report.error = str(error)
    logger.info(
        "pppoe reconcile router=%s recreated=%s corrected=%s disconnected=%s orphans=%s%s",
        router.pk,
        len(report.recreated),
        len(report.corrected),
        len(report.disconnected),
        len(report.removed_orphans),
        " error" if report.error else "",
    )
    return report


def _event(account: PppoeAccount, message: str) -> None:
    CustomerEvent.objects.create(
        organization_id=account.organization_id,
        customer_id=account.customer_id,
        kind=CustomerEvent.Kind.ROUTER,
        message=message,
    )


def pppoe_accounts_erasure_hook(*, organization, instances, reason: str) -> None:
    """Remove erased accounts' secrets (and sessions) from their routers.

    For the privacy app's erasure engine (``erasure_hook`` of the
    ``customers.PppoeAccount`` registration): runs with the rows about to be
    deleted. One connection per router, best effort: a router that cannot be
    reached is retried by a task for a customer erasure; when the whole
    organisation is being deleted the routers go too, so the failure is logged
    (the operator's router keeps a disabled-by-nobody secret named in the log
    by id only).
    """
    by_router = defaultdict(list)
    for account in instances:
        if account.router_id is not None:
            by_router[account.router_id].append(account.username)
    if not by_router:
        return
    from routers.models import Router
    from routers.services import router_client

    routers = {router.pk: router for router in Router.objects.filter(pk__in=list(by_router))}
    for router_id, usernames in by_router.items():
        router = routers.get(router_id)
        if router is None:
            continue
        try:
            with router_client(router) as client:
                for username in usernames:
                    _remove_secret(client, username)
        except _router_error_types():
            if reason == "customer_erasure":
                for username in usernames:
                    _enqueue_removal(organization.pk, router_id, username)
            else:
                logger.warning(
                    "erasure: router %s unreachable; %s PPPoE secret(s) left on it",
                    router_id,
                    len(usernames),
                )

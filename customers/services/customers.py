"""Writes for customers, their tags, devices and status.

Every service is one transaction. Status changes of PPPoE customers are
carried to the routers after commit (see :mod:`customers.services.pppoe`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import tenancy
from customers import validation
from customers.models import Customer, CustomerDevice, CustomerEvent, Tag
from nettportal.errors import NotFound, ValidationFailed

Status = Customer.Status

EDITABLE_FIELDS = (
    "name",
    "email",
    "phone",
    "customer_type",
    "address",
    "notes",
    "marketing_consent",
)
STATUS_EVENTS = {
    Status.ACTIVE: (CustomerEvent.Kind.REACTIVATED, _("Reactivated")),
    Status.SUSPENDED: (CustomerEvent.Kind.SUSPENDED, _("Suspended")),
    Status.CLOSED: (CustomerEvent.Kind.CLOSED, _("Closed")),
}


def _region(organization_id: int) -> str:
    """The organisation's country, for reading phone numbers written nationally."""
    active = tenancy.current_organization_or_none()
    if active is not None and active.pk == organization_id:
        return active.country
    from accounts.models import Organization

    return Organization.objects.only("country").get(pk=organization_id).country


def _invalid(error: ValidationError, field: str) -> ValidationFailed:
    return ValidationFailed(error.messages[0], field=field)


def _clean(field: str, func, *args):
    try:
        return func(*args)
    except ValidationError as error:
        raise _invalid(error, field) from None


def _choice(field: str, value: str, choices) -> str:
    if value not in choices.values:
        raise ValidationFailed(_("Choose a value from the list."), field=field)
    return value


def _phone_taken(phone: str, *, exclude_id: int | None = None) -> bool:
    queryset = Customer.objects.filter(phone=phone)
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return queryset.exists()


def _phone_conflict() -> ValidationFailed:
    return ValidationFailed(_("Another customer already has this phone number."), field="phone")


def forget_counts(organization_id: int) -> None:
    """After commit, drop the organisation's cached list counts (see selectors)."""
    from customers.selectors import customers_changed

    transaction.on_commit(lambda: customers_changed(organization_id))


def event_record(*, customer: Customer, kind: str, message: str, actor=None) -> CustomerEvent:
    return CustomerEvent.objects.create(
        organization_id=customer.organization_id,
        customer=customer,
        kind=kind,
        message=message[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


_WEBHOOK_FIELDS = ("pk", "customer_type", "status", "source", "created_at", "status_changed_at")


def customers_webhook_emit(organization_id: int, event: str, customer_ids) -> int:
    """One ``customer.*`` webhook per customer: id, type, status and source only
    (no name, phone or email: a receiver that needs them asks the API with its
    ``customers:read`` token). Queued after commit; the customers are read only
    when an endpoint listens, one query per 1,000."""
    from integrations.services import webhook_emit_many

    customer_ids = sorted(set(customer_ids))
    if not customer_ids:
        return 0

    def payloads():
        for start in range(0, len(customer_ids), 1000):
            chunk = customer_ids[start : start + 1000]
            for row in (
                Customer.objects.filter(pk__in=chunk).order_by("pk").values(*_WEBHOOK_FIELDS)
            ):
                yield {
                    "customer": {
                        "id": row["pk"],
                        "customer_type": row["customer_type"],
                        "status": row["status"],
                        "source": row["source"],
                        "created_at": row["created_at"].isoformat(),
                    },
                    "at": (row["status_changed_at"] or row["created_at"]).isoformat(),
                }

    return len(webhook_emit_many(organization=organization_id, event=event, payloads=payloads()))


@transaction.atomic
def customer_create(
    *,
    organization,
    actor=None,
    name: str,
    phone: str = "",
    email: str = "",
    customer_type: str = Customer.Type.HOTSPOT,
    status: str = Status.ACTIVE,
    address: str = "",
    notes: str = "",
    tags: Iterable[str] = (),
    marketing_consent: bool = False,
    source: str = Customer.Source.DASHBOARD,
) -> Customer:
    """Create a customer; phone numbers are read in the organisation's country."""
    customer = Customer(
        organization=organization,
        name=_clean("name", validation.clean_name, name),
        phone=_clean("phone", validation.clean_phone, phone, organization.country),
        email=_clean("email", validation.clean_email, email),
        customer_type=_choice("customer_type", customer_type, Customer.Type),
        status=_choice("status", status, Status),
        address=(address or "").strip()[:300],
        notes=(notes or "").strip(),
        marketing_consent=bool(marketing_consent),
        marketing_consent_at=timezone.now() if marketing_consent else None,
        source=source,
    )
    tag_names = [_clean("tags", validation.clean_tag, tag) for tag in tags]
    if customer.phone and _phone_taken(customer.phone):
        raise _phone_conflict()
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:  # the same phone was added a moment ago
        raise _phone_conflict() from None
    if tag_names:
        customer.tags.add(*tags_resolve(organization=organization, names=tag_names))
    event_record(
        customer=customer,
        kind=CustomerEvent.Kind.CREATED,
        message=_("Customer created"),
        actor=actor,
    )
    forget_counts(organization.pk)
    customers_webhook_emit(organization.pk, "customer.created", [customer.pk])
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor=None, **fields) -> list[str]:
    """Change the given fields; returns the names of the fields that changed."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"tags"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    cleaners = {
        "name": lambda v: _clean("name", validation.clean_name, v),
        "email": lambda v: _clean("email", validation.clean_email, v),
        "phone": lambda v: _clean(
            "phone", validation.clean_phone, v, _region(customer.organization_id)
        ),
        "customer_type": lambda v: _choice("customer_type", v, Customer.Type),
        "address": lambda v: (v or "").strip()[:300],
        "notes": lambda v: (v or "").strip(),
        "marketing_consent": bool,
    }
    changed = []
    for name, raw in fields.items():
        if name == "tags":
            continue
        value = cleaners[name](raw)
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if (
        "phone" in changed
        and customer.phone
        and _phone_taken(customer.phone, exclude_id=customer.pk)
    ):
        raise _phone_conflict()
    if "marketing_consent" in changed:
        customer.marketing_consent_at = timezone.now() if customer.marketing_consent else None
        changed.append("marketing_consent_at")
    if changed:
        try:
            with transaction.atomic():
                customer.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            raise _phone_conflict() from None
    if "tags" in fields and customer_tags_set(customer=customer, actor=actor, names=fields["tags"]):
        changed.append("tags")
    if changed:
        forget_counts(customer.organization_id)
    visible = [name for name in changed if name not in ("marketing_consent_at", "tags")]
    if visible:
        labels = ", ".join(str(Customer._meta.get_field(name).verbose_name) for name in visible)
        event_record(
            customer=customer,
            kind=CustomerEvent.Kind.UPDATED,
            message=_("Changed: %(fields)s") % {"fields": labels},
            actor=actor,
        )
    return changed


@transaction.atomic
def customer_set_status(*, customer: Customer, actor=None, status: str) -> bool:
    """Suspend, reactivate or close one customer. False when it already had ``status``."""
    changed = customers_bulk_set_status(
        organization_id=customer.organization_id,
        actor=actor,
        customer_ids=[customer.pk],
        status=status,
    )
    if changed:
        customer.status = status
    return bool(changed)


@transaction.atomic
def customers_bulk_set_status(
    *, organization_id: int, actor=None, customer_ids: Iterable[int], status: str
) -> list[int]:
    """Set ``status`` on the given customers that do not have it yet.

    One conditional UPDATE, so two operators clicking at once change each row
    once and write one event. PPPoE secrets follow after commit. Returns the
    ids that changed.
    """
    _choice("status", status, Status)
    ids = sorted({int(pk) for pk in customer_ids})
    if not ids:
        return []
    rows = list(
        Customer.objects.select_for_update()
        .filter(pk__in=ids)
        .exclude(status=status)
        .values_list("pk", "customer_type")
    )
    if not rows:
        return []
    changed = [pk for pk, _type in rows]
    now = timezone.now()
    Customer.objects.filter(pk__in=changed).update(
        status=status, status_changed_at=now, updated_at=now
    )
    kind, message = STATUS_EVENTS[status]
    CustomerEvent.objects.bulk_create(
        [
            CustomerEvent(
                organization_id=organization_id,
                customer_id=pk,
                kind=kind,
                message=str(message),
                actor=actor if actor is not None and actor.is_authenticated else None,
                at=now,
            )
            for pk in changed
        ]
    )
    forget_counts(organization_id)
    if status == Status.SUSPENDED:
        customers_webhook_emit(organization_id, "customer.suspended", changed)
    pppoe_ids = [pk for pk, customer_type in rows if customer_type == Customer.Type.PPPOE]
    if pppoe_ids:
        from customers.services.pppoe import pppoe_accounts_follow_customers

        pppoe_accounts_follow_customers(organization_id=organization_id, customer_ids=pppoe_ids)
    return changed


# --- tags --------------------------------------------------------------------------


@transaction.atomic
def tags_resolve(*, organization, names: Iterable[str]) -> list[Tag]:
    """The tags with these names (case-insensitive), created when missing. Race-safe."""
    wanted = {}
    for name in names:
        clean = validation.clean_tag(name)
        wanted.setdefault(clean.lower(), clean)
    if not wanted:
        return []
    existing = {
        tag.name.lower(): tag
        for tag in Tag.objects.annotate(lname=Lower("name")).filter(lname__in=list(wanted))
    }
    missing = [
        Tag(organization=organization, name=wanted[key]) for key in wanted if key not in existing
    ]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            tag.name.lower(): tag
            for tag in Tag.objects.annotate(lname=Lower("name")).filter(lname__in=list(wanted))
        }
    return [existing[key] for key in wanted]


@transaction.atomic
def customer_tags_set(*, customer: Customer, actor=None, names: Iterable[str]) -> bool:
    """Replace the customer's tags; True when anything changed."""
    organization = customer.organization
    tags = tags_resolve(organization=organization, names=list(names))
    current = {tag.pk for tag in customer.tags.all()}
    target = {tag.pk for tag in tags}
    if current == target:
        return False
    customer.tags.set(tags)
    forget_counts(customer.organization_id)
    event_record(
        customer=customer,
        kind=CustomerEvent.Kind.TAGGED,
        message=_("Tags: %(tags)s") % {"tags": ", ".join(t.name for t in tags) or "—"},
        actor=actor,
    )
    return True


@transaction.atomic
def customers_bulk_tag(
    *, organization, actor=None, customer_ids: Iterable[int], tag_name: str, remove=False
) -> int:
    """Add (or remove) one tag on many customers; returns how many rows changed."""
    ids = sorted({int(pk) for pk in customer_ids})
    ids = list(Customer.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if not ids:
        return 0
    try:
        (tag,) = tags_resolve(organization=organization, names=[tag_name])
    except ValidationError as error:
        raise _invalid(error, "tag") from None
    through = Customer.tags.through
    if remove:
        affected = list(
            through.objects.filter(tag=tag, customer_id__in=ids).values_list(
                "customer_id", flat=True
            )
        )
        through.objects.filter(tag=tag, customer_id__in=affected).delete()
        kind, message = CustomerEvent.Kind.UNTAGGED, _("Tag removed: %(tag)s")
    else:
        already = set(
            through.objects.filter(tag=tag, customer_id__in=ids).values_list(
                "customer_id", flat=True
            )
        )
        affected = [pk for pk in ids if pk not in already]
        through.objects.bulk_create(
            [through(customer_id=pk, tag=tag) for pk in affected], ignore_conflicts=True
        )
        kind, message = CustomerEvent.Kind.TAGGED, _("Tagged: %(tag)s")
    now = timezone.now()
    Customer.objects.filter(pk__in=affected).update(updated_at=now)
    CustomerEvent.objects.bulk_create(
        [
            CustomerEvent(
                organization=organization,
                customer_id=pk,
                kind=kind,
                message=message % {"tag": tag.name},
                actor=actor if actor is not None and actor.is_authenticated else None,
                at=now,
            )
            for pk in affected
        ]
    )
    forget_counts(organization.pk)
    return len(affected)


@transaction.atomic
def tag_delete(*, tag: Tag) -> None:
    forget_counts(tag.organization_id)
    tag.delete()


# --- used by other apps -------------------------------------------------------------


@transaction.atomic
def customer_get_or_create_by_phone(
    *,
    organization,
    phone: str,
    name: str = "",
    source: str = Customer.Source.PORTAL,
    marketing_consent: bool = False,
) -> tuple[Customer, bool]:
    """The customer with this phone, created as a hotspot customer when new.

    Used when someone pays on the landing page. Two purchases from one new
    number at the same moment create one customer (unique constraint + retry).
    """
    e164 = _clean("phone", validation.clean_phone, phone, organization.country)
    if not e164:
        raise ValidationFailed(_("Enter a phone number."), field="phone")
    existing = Customer.objects.filter(phone=e164).first()
    if existing is not None:
        return existing, False
    from nettportal.phones import format_phone_national

    customer = Customer(
        organization=organization,
        name=(name or "").strip()[: validation.NAME_MAX]
        or format_phone_national(e164, organization.country),
        phone=e164,
        customer_type=Customer.Type.HOTSPOT,
        source=source,
        marketing_consent=bool(marketing_consent),
        marketing_consent_at=timezone.now() if marketing_consent else None,
    )
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        return Customer.objects.get(phone=e164), False
    forget_counts(organization.pk)
    event_record(
        customer=customer, kind=CustomerEvent.Kind.CREATED, message=_("Created from a purchase")
    )
    customers_webhook_emit(organization.pk, "customer.created", [customer.pk])
    return customer, True


@transaction.atomic
def customer_device_add(
    *, customer: Customer, actor=None, mac_address: str, label: str = ""
) -> CustomerDevice:
    mac = _clean("mac_address", validation.normalize_mac, mac_address)
    device, created = CustomerDevice.objects.get_or_create(
        organization_id=customer.organization_id,
        customer=customer,
        mac_address=mac,
        defaults={"label": (label or "").strip()[:80]},
    )
    if not created and label and device.label != label.strip()[:80]:
        device.label = label.strip()[:80]
        device.save(update_fields=["label"])
    if created:
        forget_counts(customer.organization_id)
        event_record(
            customer=customer,
            kind=CustomerEvent.Kind.SERVICE,
            message=_("Device added"),
            actor=actor,
        )
    return device


@transaction.atomic
def customer_device_remove(*, device: CustomerDevice, actor=None) -> None:
    customer = device.customer
    device.delete()
    forget_counts(customer.organization_id)
    event_record(
        customer=customer,
        kind=CustomerEvent.Kind.SERVICE,
        message=_("Device removed"),
        actor=actor,
    )


def customer_get(customer_id) -> Customer:
    """The active tenant's customer, or NotFound (another tenant's id included)."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer

"""Writes for organisations, memberships, invitations and devices."""

import hashlib
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from user_agents import parse as parse_user_agent

from accounts.models import COUNTRIES, Invitation, KnownDevice, Membership, Organization, User
from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from nettportal.errors import Conflict, PermissionDenied, ValidationFailed
from nettportal.mail import send_email

INVITATION_VALID_DAYS = 7
_INVITATION_SALT = "accounts.invitation"
ORGANIZATION_FIELDS = (
    "name",
    "email",
    "phone",
    "address_line",
    "city",
    "country",
    "currency",
    "time_zone",
    "require_2fa",
)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, counter = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


@transaction.atomic
def organization_create(
    *,
    owner: User,
    name: str,
    email: str,
    phone: str,
    country: str = "GH",
    currency: str | None = None,
    time_zone: str = "UTC",
    address_line: str = "",
    city: str = "",
) -> Organization:
    """Create an organisation with ``owner`` as its first owner."""
    if country not in COUNTRIES:
        raise ValidationFailed(_("Choose a country from the list."), field="country")
    organization = Organization.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        email=email.lower(),
        phone=phone,
        country=country,
        currency=currency or COUNTRIES[country][1],
        time_zone=time_zone,
        address_line=address_line,
        city=city,
    )
    with tenant(organization):
        Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    return organization


@transaction.atomic
def signup_complete(
    *,
    user: User,
    organization_name: str,
    phone: str,
    country: str,
    full_name: str,
    ip_address: str | None,
) -> Organization:
    """Finish a sign-up: the adult-business confirmation, the organisation, the policies."""
    from privacy.services import policies_accept_current

    user.full_name = full_name.strip()
    user.confirmed_adult_business_at = timezone.now()
    user.save(update_fields=["full_name", "confirmed_adult_business_at"])
    organization = organization_create(
        owner=user, name=organization_name, email=user.email, phone=phone, country=country
    )
    policies_accept_current(user=user, ip_address=ip_address)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, actor: User, **fields) -> Organization:
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValueError(f"not organisation settings: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(organization, name) != value]
    for name in changed:
        setattr(organization, name, fields[name])
    if changed:
        organization.save(update_fields=[*changed, "updated_at"])
    return organization


# --- invitations -------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"i": invitation.pk, "o": invitation.organization_id}, salt=_INVITATION_SALT
    )


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a signed link points to, or ValidationFailed."""
    try:
        data = signing.loads(
            token, salt=_INVITATION_SALT, max_age=timedelta(days=INVITATION_VALID_DAYS)
        )
    except signing.SignatureExpired:
        raise ValidationFailed(_("This invitation link has expired. Ask for a new one.")) from None
    except signing.BadSignature:
        raise ValidationFailed(_("This invitation link is not valid.")) from None
    with all_tenants():  # the link itself names the organisation; it is checked below
        invitation = (
            Invitation.objects.select_related("organization")
            .filter(pk=data.get("i"), organization_id=data.get("o"))
            .first()
        )
    if invitation is None or not invitation.is_pending:
        raise ValidationFailed(_("This invitation is no longer valid. Ask for a new one."))
    return invitation


@transaction.atomic
def invitation_create(
    *, organization: Organization, actor: User, email: str, role: str
) -> Invitation:
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationFailed(_("Choose a role from the list."), field="role")
    if role == Role.OWNER and not _is_owner(organization, actor):
        raise PermissionDenied(_("Only an owner can invite another owner."), field="role")
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise Conflict(_("%(email)s is already a member.") % {"email": email}, field="email")
    now = timezone.now()
    pending = Invitation.objects.filter(
        organization=organization,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    if pending.exists():
        raise Conflict(
            _("An invitation to %(email)s is already waiting. Revoke it to send a new one.")
            % {"email": email},
            field="email",
        )
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + timedelta(days=INVITATION_VALID_DAYS),
    )
    accept_path = reverse("invitation_accept", args=[invitation_token(invitation)])
    send_email(
        to=email,
        template="invitation",
        context={
            "organization": organization,
            "inviter": actor,
            "role": invitation.get_role_display(),
            "accept_path": accept_path,
            "expires_at": invitation.expires_at,
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    if invitation.accepted_at:
        raise Conflict(_("This invitation was already accepted."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Make ``user`` a member with the invited role. The emails must match."""
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied(
            _("This invitation was sent to another email address. Log in as that user.")
        )
    organization = invitation.organization
    with tenant(organization):
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_pending:
            raise ValidationFailed(_("This invitation is no longer valid. Ask for a new one."))
        membership, _created = Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def user_create_from_invitation(
    *, invitation: Invitation, full_name: str, password: str, ip_address: str | None
) -> User:
    """A new person accepting an invitation: their email is proven by the link."""
    from allauth.account.models import EmailAddress

    from privacy.services import policies_accept_current

    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                full_name=full_name.strip(),
                confirmed_adult_business_at=timezone.now(),
            )
    except IntegrityError:
        raise Conflict(_("An account with this email already exists. Log in to accept.")) from None
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    policies_accept_current(user=user, ip_address=ip_address)
    invitation_accept(invitation=invitation, user=user)
    return user


# --- memberships ---------------------------------------------------------------------


def _is_owner(organization: Organization, user: User) -> bool:
    return Membership.objects.filter(organization=organization, user=user, role=Role.OWNER).exists()


def _owner_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.OWNER).count()


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationFailed(_("Choose a role from the list."), field="role")
    organization = membership.organization
    # Lock the organisation's owner rows so two demotions cannot both pass the check.
    list(
        Membership.objects.select_for_update()
        .filter(organization=organization, role=Role.OWNER)
        .order_by("pk")
    )
    membership.refresh_from_db()
    touches_owner = Role.OWNER in (role, membership.role)
    if touches_owner and not _is_owner(organization, actor):
        raise PermissionDenied(_("Only an owner can grant or remove the owner role."))
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(organization) == 1:
        raise Conflict(
            _("An organisation needs at least one owner. Make someone else owner first.")
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    organization = membership.organization
    list(
        Membership.objects.select_for_update()
        .filter(organization=organization, role=Role.OWNER)
        .order_by("pk")
    )
    membership.refresh_from_db()
    if membership.role == Role.OWNER:
        if not _is_owner(organization, actor):
            raise PermissionDenied(_("Only an owner can remove an owner."))
        if _owner_count(organization) == 1:
            raise Conflict(_("You cannot remove the last owner of the organisation."))
    membership.delete()


# --- devices and sessions ---------------------------------------------------------------


def describe_user_agent(user_agent: str) -> dict:
    parsed = parse_user_agent(user_agent or "")
    browser = f"{parsed.browser.family} {parsed.browser.version_string}".strip()
    os_name = f"{parsed.os.family} {parsed.os.version_string}".strip()
    device = parsed.device.family if parsed.device.family != "Other" else ""
    return {
        "browser": browser or "Unknown browser",
        "os": os_name or "Unknown OS",
        "device": device,
        "is_mobile": parsed.is_mobile,
    }


def _device_fingerprint(user_agent: str) -> tuple[str, str]:
    parsed = parse_user_agent(user_agent or "")
    key = "|".join([parsed.browser.family, parsed.os.family, parsed.device.family])
    label = f"{parsed.browser.family} on {parsed.os.family}"
    return hashlib.sha256(key.encode()).hexdigest(), label


@transaction.atomic
def device_record_login(*, user: User, user_agent: str, ip_address: str | None) -> bool:
    """Remember the device; email the user when it is one they never used before.

    Returns True when the device is new. The very first login is not "new":
    there is nothing to compare it with.
    """
    fingerprint, label = _device_fingerprint(user_agent)
    now = timezone.now()
    device, created = KnownDevice.objects.get_or_create(
        user=user, fingerprint=fingerprint, defaults={"label": label, "last_seen_at": now}
    )
    if not created:
        device.last_seen_at = now
        device.save(update_fields=["last_seen_at"])
        return False
    if KnownDevice.objects.filter(user=user).exclude(pk=device.pk).exists():
        send_email(
            to=user.email,
            template="new_device_login",
            context={"user": user, "device": label, "ip_address": ip_address, "when": now},
        )
        return True
    return False

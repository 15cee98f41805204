"""Field rules shared by the forms, the CSV import, the services and the API.

Each ``clean_*`` returns the stored form of a value or raises
``django.core.exceptions.ValidationError`` with a message for people.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from nettportal.phones import normalize_phone

NAME_MAX = 150
TAG_MAX = 40
TAGS_PER_CUSTOMER = 20
_MAC_HEX = re.compile(r"[0-9A-Fa-f]{12}")
_MAC_SEPARATORS = re.compile(r"[\s:.\-]")
_RATE = re.compile(r"^\d+(\.\d+)?[kKmMgG]?(/\d+(\.\d+)?[kKmMgG]?)?$")
_PROFILE = re.compile(r"^[\w.\- ]{1,64}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._@\-]{1,64}$")

TRUE_WORDS = {"1", "yes", "y", "true", "t", "x", "oui", "on"}
FALSE_WORDS = {"", "0", "no", "n", "false", "f", "non", "off"}


def clean_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError(_("Enter the customer's name."), code="required")
    if len(name) > NAME_MAX:
        raise ValidationError(
            _("Names are at most %(n)s characters.") % {"n": NAME_MAX}, code="max_length"
        )
    return name


def clean_phone(value: str, region: str | None) -> str:
    """E.164, or "" when no phone was given."""
    if not (value or "").strip():
        return ""
    return normalize_phone(value, region)


def clean_email(value: str) -> str:
    email = (value or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Enter a valid email address."), code="invalid") from None
    if len(email) > 254:
        raise ValidationError(_("Email addresses are at most 254 characters."), code="invalid")
    return email


def clean_tag(value: str) -> str:
    tag = " ".join((value or "").split())
    if not tag:
        raise ValidationError(_("A tag cannot be empty."), code="required")
    if len(tag) > TAG_MAX:
        raise ValidationError(
            _("Tags are at most %(n)s characters.") % {"n": TAG_MAX}, code="max_length"
        )
    if "," in tag or ";" in tag:
        raise ValidationError(_("Tags cannot contain commas or semicolons."), code="invalid")
    return tag


def split_tags(value: str) -> list[str]:
    """ "vip, estate-7; unpaid" → ["vip", "estate-7", "unpaid"] (each cleaned, no duplicates)."""
    seen, tags = set(), []
    for part in re.split(r"[,;|]", value or ""):
        if not part.strip():
            continue
        tag = clean_tag(part)
        if tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    if len(tags) > TAGS_PER_CUSTOMER:
        raise ValidationError(
            _("At most %(n)s tags per customer.") % {"n": TAGS_PER_CUSTOMER}, code="invalid"
        )
    return tags


def parse_bool(value: str) -> bool:
    word = (value or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(_("Write yes or no."), code="invalid")


def normalize_mac(value: str) -> str:
    """Any common MAC spelling → ``AA:BB:CC:DD:EE:FF``; raises when it is not a MAC."""
    compact = _MAC_SEPARATORS.sub("", value or "")
    if not _MAC_HEX.fullmatch(compact):
        raise ValidationError(_("Enter a MAC address like AA:BB:CC:DD:EE:FF."), code="invalid")
    compact = compact.upper()
    return ":".join(compact[i : i + 2] for i in range(0, 12, 2))


def looks_like_mac(value: str) -> bool:
    return bool(_MAC_HEX.fullmatch(_MAC_SEPARATORS.sub("", value or ""))) and (
        len(value.strip()) >= 12
    )


def clean_rate_limit(value: str) -> str:
    """RouterOS ``rate-limit`` (rx/tx as seen by the router, e.g. ``2M/5M``) or ""."""
    rate = (value or "").strip()
    if not rate:
        return ""
    first = rate.split(" ")[0]
    if not _RATE.match(first):
        raise ValidationError(
            _("Write the rate limit as upload/download, e.g. 2M/5M."), code="invalid"
        )
    return rate


def clean_profile(value: str) -> str:
    profile = (value or "").strip()
    if not profile:
        raise ValidationError(_("Choose a package."), code="required")
    if not _PROFILE.match(profile):
        raise ValidationError(
            _("Package names use letters, digits, spaces, dots, dashes and underscores."),
            code="invalid",
        )
    return profile


def clean_username(value: str) -> str:
    username = (value or "").strip()
    if not username:
        raise ValidationError(_("Enter a PPPoE username."), code="required")
    if not _USERNAME.match(username):
        raise ValidationError(
            _("Usernames use letters, digits and . _ @ - (at most 64 characters)."),
            code="invalid",
        )
    return username


def clean_password(value: str) -> str:
    password = value or ""
    if len(password) < 6:
        raise ValidationError(_("Passwords need at least 6 characters."), code="min_length")
    if len(password) > 64 or any(ord(ch) < 32 for ch in password):
        raise ValidationError(_("Passwords are at most 64 printable characters."), code="invalid")
    return password

"""The router hand-off: what MikroTik's hotspot tells the landing page, and how we answer.

The router's ``login.html`` (see :mod:`portal.routerfiles`) sends the device
to ``/p/<slug>/`` with ``link-login-only``, ``link-orig``, ``mac``, ``ip``,
``chap-id``, ``chap-challenge``, the router ``identity`` and any ``error``.
Anyone can type such a URL, so these values are only ever used to hand the
device back to its router: they are validated here, never shown raw (router
error texts are mapped to our own messages), never used to find data, and
``link-login-only`` must point at a private address or the page's hotspot DNS
name, so a crafted link cannot collect voucher codes.

Between requests the validated values travel in one signed, timestamped
token (``h``) — no cookie is needed.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import ipaddress
import re
import time
from dataclasses import dataclass, fields
from urllib.parse import urlencode, urlsplit

from django.conf import settings

HANDOFF_SALT = "portal.handoff"
HANDOFF_MAX_AGE = 3 * 3600
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$")
_CHAP = re.compile(r"^(?:\\[0-7]{3}|[\x21-\x5b\x5d-\x7e])*$")  # \ooo escapes or plain ASCII
_IDENTITY = re.compile(r"^[\w .\-@()#/:+]{1,64}$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?)*$")

# MikroTik's $(error) texts (English, from RouterOS) mapped to our message codes.
ROUTER_ERRORS = (
    ("limit", "limit_reached"),
    ("no more sessions", "too_many_sessions"),
    ("simultaneous", "too_many_sessions"),
    ("not yours", "wrong_device"),
    ("expired", "limit_reached"),
    ("invalid", "invalid_login"),
    ("radius", "router_busy"),
    ("already authorizing", "router_busy"),
)


@dataclass(frozen=True)
class Handoff:
    """Validated hand-off values (all optional: an empty hand-off is a plain visit)."""

    mac: str = ""
    ip: str = ""
    link_login_only: str = ""
    link_orig: str = ""
    chap_id: str = ""
    chap_challenge: str = ""
    identity: str = ""
    error: str = ""  # one of our codes, never the router's text

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, field.name) for field in fields(self))

    @property
    def has_device(self) -> bool:
        return bool(self.mac and self.ip)

    @property
    def can_hand_back(self) -> bool:
        return bool(self.link_login_only)

    @property
    def uses_chap(self) -> bool:
        return bool(self.chap_id or self.chap_challenge)

    def to_token(self) -> str:
        """A compact signed, timestamped token of the values (no error: it belongs to one visit).

        Hand-made rather than ``django.core.signing`` because the landing page signs
        one on every view: no JSON, no zlib, one HMAC with a key derived once.
        """
        values = [getattr(self, name) for name in TOKEN_FIELDS]
        if not any(values):
            return ""
        payload = "\x1f".join([*values, str(int(time.time()))]).encode()
        return _b64(payload) + "." + _b64(_mac_of(payload))

    @classmethod
    def from_token(cls, token: str) -> Handoff:
        """The hand-off a form carried back, or an empty one if missing, forged or stale."""
        if not token or len(token) > 2000 or "." not in token:
            return cls()
        data, _dot, signature = token.partition(".")
        try:
            payload = _unb64(data)
            if not hmac.compare_digest(_unb64(signature), _mac_of(payload)):
                return cls()
            *values, stamp = payload.decode().split("\x1f")
            if len(values) != len(TOKEN_FIELDS) or time.time() - int(stamp) > HANDOFF_MAX_AGE:
                return cls()
        except (ValueError, UnicodeDecodeError, binascii.Error):
            return cls()
        return cls(**dict(zip(TOKEN_FIELDS, values, strict=True)))


TOKEN_FIELDS = (
    "mac",
    "ip",
    "link_login_only",
    "link_orig",
    "chap_id",
    "chap_challenge",
    "identity",
)


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(f"{HANDOFF_SALT}:{secret}".encode()).digest()


def _mac_of(payload: bytes) -> bytes:
    return hmac.new(_key(settings.SECRET_KEY), payload, hashlib.sha256).digest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(value: str) -> str:
    value = value.strip()
    return value.upper().replace("-", ":") if _MAC.match(value) else ""


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def _is_private_host(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_link_local


def _printable(value: str) -> bool:
    return value.isprintable() and " " not in value


def _link_login_only(value: str, allowed_names: frozenset[str]) -> str:
    """The router's login URL, only if it points at the router itself."""
    value = value.strip()
    if not value or len(value) > 300 or not _printable(value):
        return ""
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return ""
    if _is_private_host(host) or (host in allowed_names and _HOST.match(host)):
        return value
    return ""


def _link_orig(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 500 or not _printable(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return value


def _chap(value: str, *, max_bytes: int) -> str:
    value = value.strip()
    if not value or len(value) > max_bytes * 4 or not _CHAP.match(value):
        return ""
    # Each \ooo escape is one byte; the pattern allows no other backslash.
    if len(value) - 3 * value.count("\\") > max_bytes:
        return ""
    return value


def _identity(value: str) -> str:
    value = value.strip()
    return value if _IDENTITY.match(value) else ""


def router_error_code(text: str) -> str:
    """Our message code for the router's ``$(error)`` text ('' for none)."""
    text = (text or "").strip().lower()
    if not text:
        return ""
    for needle, code in ROUTER_ERRORS:
        if needle in text:
            return code
    return "router_error"


def parse_handoff(params, *, hotspot_dns_name: str = "") -> Handoff:
    """Validate the router's query parameters (a QueryDict or dict)."""
    token = params.get("h")
    if token and not params.get("mac"):
        return Handoff.from_token(token)
    allowed = frozenset({hotspot_dns_name.strip().lower()} - {""})
    return Handoff(
        mac=_mac(params.get("mac", "")),
        ip=_ip(params.get("ip", "")),
        link_login_only=_link_login_only(params.get("link-login-only", ""), allowed),
        link_orig=_link_orig(params.get("link-orig", "")),
        chap_id=_chap(params.get("chap-id", ""), max_bytes=16),
        chap_challenge=_chap(params.get("chap-challenge", ""), max_bytes=64),
        identity=_identity(params.get("identity", "")),
        error=router_error_code(params.get("error", "")[:300]),
    )


def octal_unescape(value: str) -> bytes:
    """``\\375\\061x`` → ``b'\\xfd1x'``, as MikroTik writes $(chap-id) and $(chap-challenge)."""
    out = bytearray()
    i = 0
    while i < len(value):
        chunk = value[i : i + 4]
        if len(chunk) == 4 and chunk[0] == "\\" and all(c in "01234567" for c in chunk[1:]):
            out.append(int(chunk[1:], 8) & 0xFF)
            i += 4
        else:
            out.extend(value[i].encode("latin-1", errors="replace"))
            i += 1
    return bytes(out)


def chap_response(chap_id: str, password: str, chap_challenge: str) -> str:
    """The CHAP password RouterOS expects: hex MD5 of chap-id + password + chap-challenge.

    The same sum MikroTik's own login.html computes in JavaScript (md5.js),
    done here so the landing page needs no JavaScript.
    """
    data = octal_unescape(chap_id) + password.encode("utf-8") + octal_unescape(chap_challenge)
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def hand_back_url(handoff: Handoff, *, username: str, password: str) -> str:
    """Where to send the device so its router logs it in (CHAP when offered, else PAP)."""
    if not handoff.can_hand_back:
        raise ValueError("no link-login-only to hand back to")
    secret = (
        chap_response(handoff.chap_id, password, handoff.chap_challenge)
        if handoff.uses_chap
        else password
    )
    query = urlencode(
        {"username": username, "password": secret, "dst": handoff.link_orig, "popup": "false"}
    )
    joiner = "&" if "?" in handoff.link_login_only else "?"
    return f"{handoff.link_login_only}{joiner}{query}"

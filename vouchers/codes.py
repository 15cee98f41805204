"""Voucher codes: their format, how they are drawn, and how typed input is read.

A code is what the customer types and what the router knows as the hotspot
user name, e.g. ``NET-7K4M-Q9RT``: an optional prefix, then random characters
in groups. Random characters come from an alphabet without look-alikes
(no 0/O, 1/I/L), so a code read off a paper card is typed right the first time.

Two spellings of one code:

* ``code`` — as printed and as the router's user name (``NET-7K4M-Q9RT``);
* ``lookup`` — the canonical key (``NET7K4MQ9RT``): upper case, no separators.
  Uniqueness per organisation is enforced on ``lookup``, so two codes can never
  differ only by where the dashes go, and redemption finds the code however the
  customer typed it (``net 7k4m q9rt``).

Randomness comes from :func:`secrets.token_bytes`, mapped onto the alphabet
with rejection sampling (bytes that would bias the choice are dropped), in C
via :meth:`bytes.translate` — 100,000 codes take a few milliseconds.
"""

from __future__ import annotations

import math
import operator
import re
import secrets
from dataclasses import dataclass

MIXED_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0 O 1 I L
DIGIT_ALPHABET = "23456789"  # digits only, still without 0 and 1
ALPHABETS = {"mixed": MIXED_ALPHABET, "digits": DIGIT_ALPHABET}
PIN_ALPHABET = "0123456789"  # PINs are digits; they are never read back as codes

SEPARATORS = re.compile(r"[\s\-_.·/]+")
PREFIX_RE = re.compile(r"^[A-Z0-9]{0,8}$")
MIN_LENGTH, MAX_LENGTH = 6, 16
MIN_PIN, MAX_PIN = 4, 8
# The code space must be this many times larger than the number of codes in
# use, so a guesser needs on average millions of tries per hit and random
# collisions stay rare.
SPACE_FACTOR = 10_000
MAX_CODE_CHARS = 40  # prefix + random + separators


class CodeFormatError(ValueError):
    """A format that cannot produce enough safe codes; the message says why."""


@dataclass(frozen=True)
class CodeFormat:
    length: int = 8  # random characters
    prefix: str = ""
    group_size: int = 4  # 0 = no grouping
    separator: str = "-"
    alphabet: str = "mixed"

    @property
    def characters(self) -> str:
        return ALPHABETS[self.alphabet]

    @property
    def space(self) -> int:
        return len(self.characters) ** self.length

    def validate(self, *, quantity: int = 1, existing: int = 0) -> None:
        """Raise :class:`CodeFormatError` when the format is unsafe for ``quantity``."""
        if self.alphabet not in ALPHABETS:
            raise CodeFormatError("Choose letters and digits, or digits only.")
        if not MIN_LENGTH <= self.length <= MAX_LENGTH:
            raise CodeFormatError(
                f"Codes need between {MIN_LENGTH} and {MAX_LENGTH} random characters."
            )
        if not PREFIX_RE.match(self.prefix):
            raise CodeFormatError(
                "The prefix may have up to 8 capital letters and digits, e.g. NET."
            )
        if self.group_size and not 2 <= self.group_size <= self.length:
            raise CodeFormatError("Groups must have between 2 characters and the code length.")
        if self.separator not in ("-", " ", ""):
            raise CodeFormatError("The separator must be a dash, a space or nothing.")
        if len(self.example()) > MAX_CODE_CHARS:
            raise CodeFormatError("That code format is too long for a hotspot user name.")
        needed = (quantity + existing) * SPACE_FACTOR
        if self.space < needed:
            minimum = math.ceil(math.log(needed, len(self.characters)))
            raise CodeFormatError(
                f"{self.length} random characters are too few for this many vouchers: "
                f"codes would be easy to guess. Use at least {minimum}."
            )

    def display(self, random_part: str) -> str:
        """``7K4MQ9RT`` → ``NET-7K4M-Q9RT``."""
        groups = (
            [
                random_part[i : i + self.group_size]
                for i in range(0, len(random_part), self.group_size)
            ]
            if self.group_size
            else [random_part]
        )
        if self.prefix:
            groups.insert(0, self.prefix)
        return self.separator.join(groups)

    def formatter(self):
        """A fast ``display`` for one format (used for 100,000 codes at a time)."""
        if not self.group_size:
            slices = (slice(0, self.length),)
        else:
            slices = tuple(
                slice(i, i + self.group_size) for i in range(0, self.length, self.group_size)
            )
        join = self.separator.join
        head = (self.prefix,) if self.prefix else ()
        if len(slices) == 1:
            return lambda random_part: join((*head, random_part))
        pick = operator.itemgetter(*slices)
        return lambda random_part: join(head + pick(random_part))

    def example(self) -> str:
        return self.display(self.characters[-1] * self.length)


def _translation(alphabet: str) -> tuple[bytes, bytes]:
    """A byte table mapping each accepted byte to a character, and the bytes to drop."""
    size = len(alphabet)
    accepted = 256 - 256 % size  # bytes >= accepted would favour the first letters
    table = bytes(ord(alphabet[b % size]) if b < accepted else 0 for b in range(256))
    return table, bytes(range(accepted, 256))


_TABLES = {name: _translation(chars) for name, chars in ALPHABETS.items()}
_TABLES["pin"] = _translation(PIN_ALPHABET)


def random_strings(count: int, length: int, alphabet: str = "mixed") -> list[str]:
    """``count`` uniformly random strings of ``length`` characters from ``secrets``."""
    if count <= 0:
        return []
    table, drop = _TABLES[alphabet]
    accept_ratio = (256 - len(drop)) / 256
    needed = count * length
    chars = bytearray()
    while len(chars) < needed:
        missing = needed - len(chars)
        raw = secrets.token_bytes(int(missing / accept_ratio * 1.05) + 16)
        chars += raw.translate(table, drop)
    text = chars[:needed].decode("ascii")
    return [text[i : i + length] for i in range(0, needed, length)]


def random_pins(count: int, length: int) -> list[str]:
    return random_strings(count, length, "pin")


def normalise(typed: str) -> str:
    """What a customer typed → the ``lookup`` key (may still be invalid)."""
    return SEPARATORS.sub("", (typed or "").strip()).upper()


def lookup_of(code: str) -> str:
    return normalise(code)


def looks_like_code(lookup: str) -> bool:
    """Cheap shape check before touching the database (length and characters)."""
    return 4 <= len(lookup) <= MAX_CODE_CHARS and lookup.isalnum() and lookup.isascii()

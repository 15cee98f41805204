"""Secrets encrypted at rest (router passwords, payment-processor credentials).

``ENCRYPTION_KEYS`` holds Fernet keys, newest first. New values are encrypted
with the first key; any listed key decrypts. To rotate: put a new key first,
keep the old ones, run ``manage.py rotate_encryption_keys``, then drop the old
keys. The keys are separate from ``SECRET_KEY``.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("ENCRYPTION_KEYS is empty")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes)"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionError("secret cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the primary key."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("secret cannot be decrypted with the configured keys") from exc


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; Python code sees the plaintext.

    Empty strings are stored as empty strings (nothing to hide). Lookups on
    this field are refused: the ciphertext changes on every save.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise TypeError(f"EncryptedTextField does not support the '{lookup_name}' lookup")


def encrypted_fields():
    """Every (model, field name) pair stored encrypted, for key rotation."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field.name

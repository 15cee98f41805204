import pytest
from cryptography.fernet import Fernet

from nettportal import crypto


def test_encrypt_decrypt_round_trip_and_ciphertext_hides_plaintext():
    token = crypto.encrypt("routerpass-ñ")
    assert "routerpass" not in token
    assert crypto.decrypt(token) == "routerpass-ñ"


def test_rotation_moves_secrets_to_the_new_primary_key(settings):
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("s3cret")
    settings.ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(token) == "s3cret"
    rotated = crypto.rotate(token)
    settings.ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "s3cret"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)

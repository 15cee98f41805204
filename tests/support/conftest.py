import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.factories import UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def staff(db):
    return UserFactory(email="agent@nettportal.test", is_staff=True, is_superuser=True)


@pytest.fixture
def png():
    return lambda name="screen.png": SimpleUploadedFile(name, PNG, content_type="image/png")

"""Billing fixtures: the fake Daraja and Paystack servers on ephemeral ports, and
processor accounts wired to them."""

import json
from urllib.parse import urlsplit

import pytest

from accounts.tenancy import tenant
from billing.fakes.daraja import FakeDaraja
from billing.fakes.paystack import FakePaystack
from billing.models import ProcessorAccount
from billing.services.processors import processor_account_save

FAKE_PAYSTACK_KEY = "sk_test_fake0000000000000000000000000000"


@pytest.fixture
def daraja(settings):
    fake = FakeDaraja().start()
    fake.callback_mode = "hold"  # tests decide when (and how often) callbacks arrive
    settings.BILLING_MPESA_BASE_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def paystack(settings):
    fake = FakePaystack(secret_key=FAKE_PAYSTACK_KEY).start()
    fake.callback_mode = "hold"
    settings.BILLING_PAYSTACK_BASE_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def kenya_org(org_a):
    org_a.country, org_a.currency, org_a.time_zone = "KE", "KES", "Africa/Nairobi"
    org_a.save()
    return org_a


@pytest.fixture
def mpesa_account(kenya_org, daraja):
    with tenant(kenya_org):
        return processor_account_save(
            organization=kenya_org,
            kind=ProcessorAccount.Kind.MPESA,
            fields={"environment": "sandbox", "shortcode": "174379", "is_enabled": True},
            secrets={
                "consumer_key": "fake-consumer-key",
                "consumer_secret": "fake-consumer-secret",
                "passkey": "fake-passkey",
            },
        )


@pytest.fixture
def paystack_account(org_a, paystack):
    with tenant(org_a):
        account = processor_account_save(
            organization=org_a,
            kind=ProcessorAccount.Kind.PAYSTACK,
            fields={"environment": "sandbox", "is_enabled": True},
            secrets={"secret_key": FAKE_PAYSTACK_KEY},
        )
    return account


def path_of(url: str) -> str:
    return urlsplit(url).path


def post_delivery(client, delivery, **extra):
    """Post a callback the fake held, through Django's test client."""
    parts = urlsplit(delivery.url)
    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in delivery.headers.items()
        if k.lower() != "content-type"
    }
    return client.post(
        parts.path, data=delivery.body, content_type="application/json", **headers, **extra
    )


def post_json(client, path, payload, **headers):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(path, data=body, content_type="application/json", **headers)

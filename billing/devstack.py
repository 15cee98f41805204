"""Processes billing adds to ``make run``: the fake Daraja and Paystack servers.

Fixed demo ports (8091, 8092) are fine here; tests start the fakes on port 0.
Unless already configured, the web server and worker started next to them are
pointed at the fakes (their environment is inherited from ``run_dev``).
"""

import os
import sys

DARAJA_PORT = int(os.environ.get("FAKE_DARAJA_PORT", 8091))
PAYSTACK_PORT = int(os.environ.get("FAKE_PAYSTACK_PORT", 8092))
FAKE_PAYSTACK_KEY = "sk_test_fake0000000000000000000000000000"


def _paystack_webhooks() -> list[str]:
    from accounts.tenancy import all_tenants
    from billing.models import ProcessorAccount
    from billing.services.online import paystack_webhook_url

    found = []
    with all_tenants():
        for account in ProcessorAccount.objects.filter(kind=ProcessorAccount.Kind.PAYSTACK):
            key = account.secret("secret_key")
            if key.startswith("sk_test_fake"):
                found += ["--webhook", f"{key}={paystack_webhook_url(account)}"]
    return found


def processes(port: int) -> list[tuple[str, list[str]]]:
    from django.conf import settings

    if settings.IS_PRODUCTION:
        return []
    os.environ.setdefault("BILLING_MPESA_BASE_URL", f"http://127.0.0.1:{DARAJA_PORT}")
    os.environ.setdefault("BILLING_PAYSTACK_BASE_URL", f"http://127.0.0.1:{PAYSTACK_PORT}")
    os.environ.setdefault("BILLING_CALLBACK_BASE_URL", f"http://127.0.0.1:{port}")
    # This process reads settings too (the webhook URLs below).
    settings.BILLING_CALLBACK_BASE_URL = os.environ["BILLING_CALLBACK_BASE_URL"]
    python = sys.executable
    return [
        ("fake-daraja", [python, "-m", "billing.fakes.daraja", "--port", str(DARAJA_PORT)]),
        (
            "fake-paystack",
            [
                python,
                "-m",
                "billing.fakes.paystack",
                "--port",
                str(PAYSTACK_PORT),
                *_paystack_webhooks(),
            ],
        ),
    ]

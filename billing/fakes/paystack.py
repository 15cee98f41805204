"""A fake of Paystack's API: initialize, verify, balance, a checkout page and signed webhooks.

Shapes follow Paystack's documentation: every answer is ``{"status": bool,
"message": str, "data": …}``; amounts are integers in the subunit; webhooks
are ``{"event": "charge.success", "data": {transaction}}`` signed with
``x-paystack-signature`` = HMAC-SHA512(secret key, raw body), hex.

Webhooks go to ``webhook_urls[secret_key]`` (Paystack sends them to the URL
set in the merchant's dashboard, one per account).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import html
import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from billing.fakes.server import FakeServer, Request, Response

CURRENCIES = {"NGN", "GHS", "KES", "ZAR", "USD", "XOF"}


def _answer(status: bool, message: str, data=None, code: int = 200) -> Response:
    body = {"status": status, "message": message}
    if data is not None:
        body["data"] = data
    return Response.json(body, code)


@dataclass
class PaystackTransaction:
    id: int
    reference: str
    access_code: str
    secret_key: str
    amount: int
    currency: str
    email: str
    callback_url: str
    status: str = "ongoing"
    paid_at: str | None = None
    created_at: str = ""
    gateway_response: str = ""

    def as_data(self) -> dict:
        return {
            "id": self.id,
            "domain": "test",
            "status": self.status,
            "reference": self.reference,
            "amount": self.amount,
            "message": None,
            "gateway_response": self.gateway_response
            or ("Successful" if self.status == "success" else ""),
            "paid_at": self.paid_at,
            "created_at": self.created_at,
            "channel": "card",
            "currency": self.currency,
            "fees": int(self.amount * 0.015),
            "customer": {"id": 1, "email": self.email, "customer_code": "CUS_fake"},
            "authorization": {"authorization_code": "AUTH_fake", "last4": "4081", "bin": "408408"},
        }


class FakePaystack(FakeServer):
    name = "paystack"

    def __init__(
        self,
        *,
        secret_key="sk_test_fake0000000000000000000000000000",  # noqa: S107 - a fake's test key
        host="127.0.0.1",
        port=0,
    ):
        super().__init__(host, port)
        self.secret_keys = {secret_key}
        self.webhook_urls: dict[str, str] = {}
        self.transactions: dict[str, PaystackTransaction] = {}
        self._ids = 4_099_260_000
        self.route("POST", r"/transaction/initialize", self._initialize)
        self.route("GET", r"/transaction/verify/(?P<reference>[^/]+)", self._verify)
        self.route("GET", r"/balance", self._balance)
        self.route("GET", r"/checkout/(?P<code>[\w-]+)", self._checkout_page)
        self.route("POST", r"/checkout/(?P<code>[\w-]+)", self._checkout_submit)
        self.route("POST", r"/__fake__/webhook", self._set_webhook)

    def _key(self, request: Request) -> str | None:
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        return key if key in self.secret_keys else None

    # --- API -------------------------------------------------------------------------
    def _initialize(self, request: Request, match) -> Response:
        self.count("initialize")
        failure = self.take_failure("initialize")
        if failure:
            return failure
        key = self._key(request)
        if key is None:
            return _answer(False, "Invalid key", code=401)
        body = request.json()
        if not isinstance(body, dict):
            return _answer(False, "Invalid JSON", code=400)
        email, amount = body.get("email"), body.get("amount")
        currency = body.get("currency", "NGN")
        if not isinstance(email, str) or "@" not in email:
            return _answer(False, "Invalid Email Address Passed", code=400)
        if isinstance(amount, bool) or not str(amount).isdigit() or int(amount) < 1:
            return _answer(False, "Invalid Amount Sent", code=400)
        if currency not in CURRENCIES:
            return _answer(False, "Currency not supported by merchant", code=403)
        reference = str(body.get("reference") or secrets.token_hex(8))
        with self.lock:
            if reference in self.transactions:
                return _answer(False, "Duplicate Transaction Reference", code=400)
            self._ids += 1
            transaction = PaystackTransaction(
                id=self._ids,
                reference=reference,
                access_code=secrets.token_hex(8),
                secret_key=key,
                amount=int(amount),
                currency=currency,
                email=email,
                callback_url=str(body.get("callback_url") or ""),
                created_at=dt.datetime.now(tz=dt.UTC).isoformat().replace("+00:00", "Z"),
            )
            self.transactions[reference] = transaction
        return _answer(
            True,
            "Authorization URL created",
            {
                "authorization_url": f"{self.url}/checkout/{transaction.access_code}",
                "access_code": transaction.access_code,
                "reference": reference,
            },
        )

    def _verify(self, request: Request, match) -> Response:
        self.count("verify")
        failure = self.take_failure("verify")
        if failure:
            return failure
        key = self._key(request)
        if key is None:
            return _answer(False, "Invalid key", code=401)
        with self.lock:
            transaction = self.transactions.get(match["reference"])
        if transaction is None or transaction.secret_key != key:
            return _answer(False, "Transaction reference not found", code=400)
        if transaction.status == "ongoing":
            transaction_data = {**transaction.as_data(), "status": "abandoned"}
        else:
            transaction_data = transaction.as_data()
        return _answer(True, "Verification successful", transaction_data)

    def _balance(self, request: Request, match) -> Response:
        self.count("balance")
        if self._key(request) is None:
            return _answer(False, "Invalid key", code=401)
        return _answer(True, "Balances retrieved", [{"currency": "NGN", "balance": 0}])

    # --- the payer's side -----------------------------------------------------------------
    def _by_code(self, code: str) -> PaystackTransaction | None:
        with self.lock:
            return next((t for t in self.transactions.values() if t.access_code == code), None)

    def _checkout_page(self, request: Request, match) -> Response:
        transaction = self._by_code(match["code"])
        if transaction is None:
            return Response(404, b"Unknown checkout", "text/plain")
        amount = f"{transaction.currency} {transaction.amount / 100:,.2f}"
        page = f"""<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">
<title>Fake Paystack checkout</title></head><body style="font-family:sans-serif;max-width:24rem;margin:2rem auto">
<h1>Fake Paystack</h1><p>Pay <strong>{html.escape(amount)}</strong> as {html.escape(transaction.email)}</p>
<form method="post"><button name="action" value="pay">Pay {html.escape(amount)}</button>
<button name="action" value="decline">Decline</button></form></body></html>"""
        return Response(200, page.encode(), "text/html; charset=utf-8")

    def _checkout_submit(self, request: Request, match) -> Response:
        transaction = self._by_code(match["code"])
        if transaction is None:
            return Response(404, b"Unknown checkout", "text/plain")
        action = parse_qs(request.body.decode())["action"][0] if request.body else "pay"
        self.complete(transaction.reference, status="success" if action == "pay" else "failed")
        target = transaction.callback_url
        if target:
            separator = "&" if "?" in target else "?"
            query = urlencode({"trxref": transaction.reference, "reference": transaction.reference})
            return Response(302, b"", "text/plain", {"Location": f"{target}{separator}{query}"})
        return Response(200, b"Done", "text/plain")

    def complete(
        self, reference: str, *, status: str = "success", send_webhook: bool = True
    ) -> PaystackTransaction:
        with self.lock:
            transaction = self.transactions[reference]
            transaction.status = status
            if status == "success":
                transaction.paid_at = dt.datetime.now(tz=dt.UTC).isoformat().replace("+00:00", "Z")
            else:
                transaction.gateway_response = "Declined"
        if send_webhook and status == "success":
            url = self.webhook_urls.get(transaction.secret_key)
            if url:
                body, signature = self.signed_webhook(reference)
                self.deliver(url, body, {"x-paystack-signature": signature})
        return transaction

    def signed_webhook(
        self,
        reference: str,
        *,
        event: str = "charge.success",
        data=None,
        secret_key: str | None = None,
    ) -> tuple[bytes, str]:
        transaction = self.transactions.get(reference)
        payload = {"event": event, "data": data if data is not None else transaction.as_data()}
        body = json.dumps(payload).encode()
        key = secret_key or (
            transaction.secret_key if transaction else next(iter(self.secret_keys))
        )
        return body, hmac.new(key.encode(), body, hashlib.sha512).hexdigest()

    def _set_webhook(self, request: Request, match) -> Response:
        data = request.json()
        if not isinstance(data, dict) or data.get("secret_key") not in self.secret_keys:
            return _answer(False, "Unknown secret key", code=400)
        self.webhook_urls[data["secret_key"]] = str(data.get("url", ""))
        return _answer(True, "Webhook URL set")


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Paystack API for the demo")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--secret-key", default="sk_test_fake0000000000000000000000000000")
    parser.add_argument(
        "--webhook",
        action="append",
        default=[],
        help="SECRET_KEY=URL where signed webhooks for that key are sent",
    )
    args = parser.parse_args()
    fake = FakePaystack(secret_key=args.secret_key, host=args.host, port=args.port)
    for item in args.webhook:
        key, _, url = item.partition("=")
        fake.secret_keys.add(key)
        fake.webhook_urls[key] = url
    fake.callback_delay = 1.0
    print(f"fake Paystack on {fake.url}", flush=True)  # noqa: T201
    fake.serve_forever()


if __name__ == "__main__":
    main()

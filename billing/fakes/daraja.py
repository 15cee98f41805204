"""A fake of Safaricom's Daraja API: OAuth, STK Push, STK query and STK callbacks.

Shapes follow Daraja's documentation:

* ``GET /oauth/v1/generate?grant_type=client_credentials`` (HTTP Basic) →
  ``{"access_token": "...", "expires_in": "3599"}``
* ``POST /mpesa/stkpush/v1/processrequest`` (Bearer) → ``MerchantRequestID``,
  ``CheckoutRequestID``, ``ResponseCode: "0"``, ``ResponseDescription``,
  ``CustomerMessage``; errors as ``{"requestId", "errorCode", "errorMessage"}``.
* ``POST /mpesa/stkpushquery/v1/query`` → ``ResultCode``/``ResultDesc`` once the
  payer has answered, ``500.001.1001 The transaction is being processed`` before.
* The callback ``{"Body": {"stkCallback": {..., "CallbackMetadata": {"Item":
  [{"Name": "Amount", "Value": 10}, {"Name": "MpesaReceiptNumber", ...}, ...]}}}}``
  POSTed to the request's ``CallBackURL``.

The payer is simulated: ``outcomes`` maps a phone (``2547…``) to the result
code their phone produces (default ``default_result_code``, 0 = pays), after
``complete_after`` seconds.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass

from billing.fakes.server import FakeServer, Request, Response

RESULT_DESCRIPTIONS = {
    0: "The service request is processed successfully.",
    1: "The balance is insufficient for the transaction.",
    1001: "Unable to lock subscriber, a transaction is already in process for the current subscriber",
    1019: "Transaction has expired",
    1032: "Request cancelled by user",
    1037: "DS timeout user cannot be reached",
    2001: "The initiator information is invalid.",
}
_PHONE = re.compile(r"^254[17]\d{8}$")
_TIMESTAMP = re.compile(r"^\d{14}$")


def _error(status: int, code: str, message: str) -> Response:
    return Response.json(
        {"requestId": secrets.token_hex(6), "errorCode": code, "errorMessage": message}, status
    )


@dataclass
class StkTransaction:
    merchant_request_id: str
    checkout_request_id: str
    shortcode: str
    amount: int
    phone: str
    callback_url: str
    account_reference: str
    result_code: int
    complete_at: float
    receipt: str = ""
    completed: bool = False


class FakeDaraja(FakeServer):
    name = "daraja"
    CONFIGURABLE = (
        *FakeServer.CONFIGURABLE,
        "default_result_code",
        "complete_after",
        "token_ttl",
    )

    def __init__(
        self,
        *,
        consumer_key="fake-consumer-key",
        consumer_secret="fake-consumer-secret",  # noqa: S107 - a fake's test value
        shortcode="174379",
        passkey="fake-passkey",
        host="127.0.0.1",
        port=0,
    ):
        super().__init__(host, port)
        self.apps = {consumer_key: consumer_secret}
        self.passkeys = {shortcode: passkey}
        self.tokens: dict[str, float] = {}
        self.token_ttl = 3599
        self.transactions: dict[str, StkTransaction] = {}
        self.outcomes: dict[str, int] = {}
        self.default_result_code = 0
        self.complete_after = 0.0
        self.push_requests: list[dict] = []
        self.route("GET", r"/oauth/v1/generate", self._oauth)
        self.route("POST", r"/mpesa/stkpush/v1/processrequest", self._push)
        self.route("POST", r"/mpesa/stkpushquery/v1/query", self._query)

    # --- endpoints ------------------------------------------------------------------
    def _oauth(self, request: Request, match) -> Response:
        self.count("oauth")
        failure = self.take_failure("oauth")
        if failure:
            return failure
        if request.query.get("grant_type") != "client_credentials":
            return _error(400, "400.008.02", "Invalid grant type passed")
        auth = request.headers.get("authorization", "")
        try:
            key, _, secret = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            key = secret = ""
        if not auth.startswith("Basic ") or self.apps.get(key) != secret or not secret:
            return _error(400, "400.008.01", "Invalid Authentication passed")
        token = secrets.token_urlsafe(20)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_ttl
        return Response.json({"access_token": token, "expires_in": str(self.token_ttl)})

    def _authorised(self, request: Request) -> bool:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            expiry = self.tokens.get(token)
        return expiry is not None and expiry > time.monotonic()

    def _password_ok(self, body: dict) -> bool:
        shortcode, timestamp = (
            str(body.get("BusinessShortCode", "")),
            str(body.get("Timestamp", "")),
        )
        passkey = self.passkeys.get(shortcode)
        if passkey is None or not _TIMESTAMP.match(timestamp):
            return False
        expected = base64.b64encode(f"{shortcode}{passkey}{timestamp}".encode()).decode()
        return body.get("Password") == expected

    def _push(self, request: Request, match) -> Response:
        self.count("push")
        failure = self.take_failure("push")
        if failure:
            return failure
        if not self._authorised(request):
            return _error(404, "404.001.03", "Invalid Access Token")
        body = request.json()
        if not isinstance(body, dict):
            return _error(400, "400.002.02", "Bad Request - Invalid JSON")
        with self.lock:
            self.push_requests.append(body)
        problem = self._invalid_push(body)
        if problem:
            return _error(400, "400.002.02", f"Bad Request - Invalid {problem}")
        merchant_id = f"{secrets.randbelow(90000) + 10000}-{secrets.randbelow(10**8)}-1"
        checkout_id = (
            "ws_CO_" + dt.datetime.now(tz=dt.UTC).strftime("%d%m%Y%H%M%S") + secrets.token_hex(6)
        )
        phone = str(body["PhoneNumber"])
        transaction = StkTransaction(
            merchant_request_id=merchant_id,
            checkout_request_id=checkout_id,
            shortcode=str(body["BusinessShortCode"]),
            amount=int(body["Amount"]),
            phone=phone,
            callback_url=str(body["CallBackURL"]),
            account_reference=str(body["AccountReference"]),
            result_code=int(self.outcomes.get(phone, self.default_result_code)),
            complete_at=time.monotonic() + float(self.complete_after),
        )
        with self.lock:
            self.transactions[checkout_id] = transaction
        wait = float(self.complete_after)
        threading.Thread(target=self._complete_later, args=(checkout_id, wait), daemon=True).start()
        return Response.json(
            {
                "MerchantRequestID": merchant_id,
                "CheckoutRequestID": checkout_id,
                "ResponseCode": "0",
                "ResponseDescription": "Success. Request accepted for processing",
                "CustomerMessage": "Success. Request accepted for processing",
            }
        )

    def _invalid_push(self, body: dict) -> str:
        if not self._password_ok(body):
            return "Password"  # Daraja answers "Bad Request - Invalid Password" too
        if body.get("TransactionType") not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
            return "TransactionType"
        amount = body.get("Amount")
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int | str)
            or not str(amount).isdigit()
            or int(amount) < 1
        ):
            return "Amount"
        for key in ("PartyA", "PhoneNumber"):
            if not _PHONE.match(str(body.get(key, ""))):
                return key
        if not str(body.get("PartyB", "")).isdigit():
            return "PartyB"
        if not re.match(r"^https?://", str(body.get("CallBackURL", ""))):
            return "CallBackURL"
        reference = body.get("AccountReference")
        if not isinstance(reference, str) or not 1 <= len(reference) <= 12:
            return "AccountReference"
        description = body.get("TransactionDesc")
        if not isinstance(description, str) or not 1 <= len(description) <= 13:
            return "TransactionDesc"
        return ""

    def _query(self, request: Request, match) -> Response:
        self.count("query")
        failure = self.take_failure("query")
        if failure:
            return failure
        if not self._authorised(request):
            return _error(404, "404.001.03", "Invalid Access Token")
        body = request.json()
        if not isinstance(body, dict) or not self._password_ok(body):
            return _error(400, "400.002.02", "Bad Request - Invalid Password")
        with self.lock:
            transaction = self.transactions.get(str(body.get("CheckoutRequestID", "")))
        if transaction is None:
            return _error(400, "400.002.02", "Bad Request - Invalid CheckoutRequestID")
        if not transaction.completed:
            return _error(500, "500.001.1001", "The transaction is being processed")
        return Response.json(
            {
                "ResponseCode": "0",
                "ResponseDescription": "The service request has been accepted successsfully",
                "MerchantRequestID": transaction.merchant_request_id,
                "CheckoutRequestID": transaction.checkout_request_id,
                "ResultCode": str(transaction.result_code),
                "ResultDesc": RESULT_DESCRIPTIONS.get(transaction.result_code, "Failed"),
            }
        )

    # --- the simulated payer ---------------------------------------------------------------
    def _complete_later(self, checkout_id: str, wait: float) -> None:
        if wait:
            time.sleep(wait)
        self.complete(checkout_id)

    def complete(self, checkout_id: str, *, result_code: int | None = None) -> StkTransaction:
        """The payer answers (pays, cancels, …); the callback goes out per ``callback_mode``."""
        with self.lock:
            transaction = self.transactions[checkout_id]
            if transaction.completed:
                return transaction
            if result_code is not None:
                transaction.result_code = result_code
            transaction.completed = True
            if transaction.result_code == 0:
                transaction.receipt = "S" + "".join(
                    secrets.choice(string.ascii_uppercase + string.digits) for _ in range(9)
                )
        body = self.callback_body(checkout_id)
        self.deliver(transaction.callback_url, json.dumps(body).encode())
        return transaction

    def callback_body(
        self,
        checkout_id: str,
        *,
        result_code: int | None = None,
        amount=None,
        receipt: str | None = None,
        merchant_request_id=None,
    ) -> dict:
        """The callback Daraja sends for a transaction (fields overridable to forge one)."""
        transaction = self.transactions[checkout_id]
        code = transaction.result_code if result_code is None else result_code
        callback = {
            "MerchantRequestID": merchant_request_id or transaction.merchant_request_id,
            "CheckoutRequestID": checkout_id,
            "ResultCode": code,
            "ResultDesc": RESULT_DESCRIPTIONS.get(code, "Failed"),
        }
        if code == 0:
            callback["CallbackMetadata"] = {
                "Item": [
                    {"Name": "Amount", "Value": transaction.amount if amount is None else amount},
                    {
                        "Name": "MpesaReceiptNumber",
                        "Value": receipt or transaction.receipt or "SFAKE00001",
                    },
                    {"Name": "Balance"},
                    {
                        "Name": "TransactionDate",
                        "Value": int(
                            dt.datetime.now(tz=dt.timezone(dt.timedelta(hours=3))).strftime(
                                "%Y%m%d%H%M%S"
                            )
                        ),
                    },
                    {"Name": "PhoneNumber", "Value": int(transaction.phone)},
                ]
            }
        return {"Body": {"stkCallback": callback}}

    def last_checkout_id(self) -> str:
        with self.lock:
            return list(self.transactions)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Daraja (M-Pesa) API for the demo")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--consumer-key", default="fake-consumer-key")
    parser.add_argument("--consumer-secret", default="fake-consumer-secret")
    parser.add_argument("--shortcode", default="174379")
    parser.add_argument("--passkey", default="fake-passkey")
    parser.add_argument(
        "--complete-after",
        type=float,
        default=6.0,
        help="seconds the simulated payer takes to enter the PIN",
    )
    args = parser.parse_args()
    fake = FakeDaraja(
        consumer_key=args.consumer_key,
        consumer_secret=args.consumer_secret,
        shortcode=args.shortcode,
        passkey=args.passkey,
        host=args.host,
        port=args.port,
    )
    fake.complete_after = args.complete_after
    # Demo numbers that misbehave like real phones (the rest pay).
    fake.outcomes.update({"254700001032": 1032, "254700000001": 1, "254700001037": 1037})
    print(f"fake Daraja on {fake.url}", flush=True)  # noqa: T201
    fake.serve_forever()


if __name__ == "__main__":
    main()

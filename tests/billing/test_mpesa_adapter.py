"""The Daraja adapter against the fake Daraja: request shapes, token cache, errors."""

import base64
from decimal import Decimal

import pytest

from accounts.tenancy import tenant
from billing.models import ProcessorAccount
from billing.processors import (
    Outcome,
    ProcessorRejected,
    ProcessorUnavailable,
    StartRequest,
    processor_for,
)
from billing.processors.mpesa import (
    clean_text,
    normalise_phone,
    parse_transaction_date,
    result_for_code,
    stk_password,
    whole_shillings,
)


def _request(**overrides):
    values = {
        "reference": "NPABCDEFGH",
        "amount": Decimal("50"),
        "currency": "KES",
        "description": "Wi-Fi 1 day pass for the market",
        "phone": "0712 345 678",
        "callback_url": "http://127.0.0.1:9/hook/",
    }
    values.update(overrides)
    return StartRequest(**values)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0712345678", "254712345678"),
        ("0712 345 678", "254712345678"),
        ("+254712345678", "254712345678"),
        ("254712345678", "254712345678"),
        ("712345678", "254712345678"),
        ("0110 123 456", "254110123456"),
    ],
)
def test_phone_numbers_are_normalised_to_2547(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "+233201234567", "0201234567", "not a phone"])
def test_non_kenyan_or_invalid_phones_are_refused(raw):
    with pytest.raises(ProcessorRejected):
        normalise_phone(raw)


def test_amounts_must_be_whole_shillings_within_limits():
    assert whole_shillings(Decimal("10.00")) == 10
    for bad in (Decimal("10.50"), Decimal("0"), Decimal("250001")):
        with pytest.raises(ProcessorRejected):
            whole_shillings(bad)


def test_password_is_base64_of_shortcode_passkey_timestamp():
    password = stk_password("174379", "key", "20260301120000")
    assert base64.b64decode(password).decode() == "174379key20260301120000"


def test_texts_are_cut_to_darajas_limits_and_cleaned():
    assert clean_text("Wi-Fi 1 day pass for the market", 13) == "Wi-Fi 1 day p"
    assert clean_text("INV-000123 <script>", 12) == "INV-000123 s"


def test_result_codes_map_to_outcomes_and_clear_messages():
    assert result_for_code(0)[0] == Outcome.PAID
    assert result_for_code(1032) == (Outcome.CANCELLED, "The payment was cancelled on the phone.")
    assert "balance" in result_for_code(1)[1]
    assert "PIN" in result_for_code(2001)[1]
    assert "could not be reached" in result_for_code(1037)[1]
    assert "expired" in result_for_code(1019)[1]
    assert result_for_code(4242) == (Outcome.FAILED, "M-Pesa declined the payment (code 4242).")


def test_transaction_date_is_read_as_kenyan_time():
    when = parse_transaction_date(20260301120000)
    assert when.utcoffset().total_seconds() == 3 * 3600
    assert parse_transaction_date("garbage") is None


@pytest.mark.django_db
def test_stk_push_sends_the_documented_request_and_caches_the_token(mpesa_account, daraja):
    # given a configured PayBill account
    processor = processor_for(mpesa_account)

    # when two payments are started
    first = processor.start(_request())
    second = processor.start(_request(reference="NPZZZZZZZZ"))

    # then one OAuth token served both, and the request had Daraja's shape
    assert daraja.calls["oauth"] == 1
    assert daraja.calls["push"] == 2
    assert first.processor_reference.startswith("ws_CO_") and first.request_id
    assert second.processor_reference != first.processor_reference
    sent = daraja.push_requests[0]
    assert sent["TransactionType"] == "CustomerPayBillOnline"
    assert sent["PartyA"] == sent["PhoneNumber"] == "254712345678"
    assert sent["PartyB"] == sent["BusinessShortCode"] == "174379"
    assert sent["Amount"] == 50
    assert sent["AccountReference"] == "NPABCDEFGH"
    assert len(sent["TransactionDesc"]) <= 13
    assert len(sent["Timestamp"]) == 14
    assert base64.b64decode(sent["Password"]).decode() == f"174379fake-passkey{sent['Timestamp']}"


@pytest.mark.django_db
def test_till_numbers_use_buy_goods_with_the_till_as_party_b(mpesa_account, daraja, kenya_org):
    with tenant(kenya_org):
        mpesa_account.transaction_type = ProcessorAccount.TransactionType.BUY_GOODS
        mpesa_account.till_number = "5551234"
        mpesa_account.save()
    processor_for(mpesa_account).start(_request())
    sent = daraja.push_requests[-1]
    assert sent["TransactionType"] == "CustomerBuyGoodsOnline"
    assert sent["BusinessShortCode"] == "174379"
    assert sent["PartyB"] == "5551234"


@pytest.mark.django_db
def test_an_expired_token_is_fetched_again(mpesa_account, daraja):
    processor = processor_for(mpesa_account)
    processor.start(_request())
    daraja.tokens.clear()  # Daraja forgot our token (expired early)
    processor.start(_request(reference="NPYYYYYYYY"))
    assert daraja.calls["oauth"] == 2
    assert daraja.calls["push"] == 3  # one refused with 404.001.03, one retried


@pytest.mark.django_db
def test_wrong_credentials_or_passkey_are_refused_clearly(mpesa_account, daraja, kenya_org):
    with tenant(kenya_org):
        mpesa_account.set_secrets({**mpesa_account.get_secrets(), "passkey": "wrong"})
        mpesa_account.save()
    with pytest.raises(ProcessorRejected, match="Invalid Password"):
        processor_for(mpesa_account).start(_request())
    with tenant(kenya_org):
        mpesa_account.set_secrets({**mpesa_account.get_secrets(), "consumer_secret": "nope"})
        mpesa_account.save()
    with pytest.raises(ProcessorRejected, match="refused the consumer key"):
        processor_for(mpesa_account).test_credentials()


@pytest.mark.django_db
def test_darajas_errors_and_timeouts_become_unavailable(mpesa_account, daraja, settings):
    daraja.fail("push", status=503, body={"errorCode": "503.001.01", "errorMessage": "down"})
    with pytest.raises(ProcessorUnavailable):
        processor_for(mpesa_account).start(_request())
    settings.BILLING_PROCESSOR_TIMEOUT = 1
    daraja.fail("push", delay=2.5)
    with pytest.raises(ProcessorUnavailable, match="in time"):
        processor_for(mpesa_account).start(_request())


@pytest.mark.django_db
def test_query_reports_processing_then_the_result(mpesa_account, daraja):
    processor = processor_for(mpesa_account)
    daraja.complete_after = 60  # the payer has not answered yet
    started = processor.start(_request())

    class Pending:
        processor_reference = started.processor_reference

    assert processor.query(Pending).outcome == Outcome.PENDING
    daraja.complete(started.processor_reference, result_code=1032)
    result = processor.query(Pending)
    assert result.outcome == Outcome.CANCELLED
    assert result.code == "1032"

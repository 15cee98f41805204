import logging

from nettportal.observability import ScrubFilter, scrub_event


def test_sentry_before_send_removes_personal_data():
    event = {
        "message": "payment failed for ama@example.com on +233 20 123 4567",
        "request": {
            "url": "https://app.example/customers/5/",
            "data": {"phone": "0201234567", "name": "Ama"},
            "cookies": {"sessionid": "sess-abc-123"},
            "query_string": "q=ama@example.com",
            "headers": {"Authorization": "Token secret", "Cookie": "x", "User-Agent": "UA"},
        },
        "user": {"id": 7, "email": "ama@example.com", "ip_address": "10.0.0.1"},
        "extra": {
            "password": "hunter2",
            "api_token": "tok-991-xyz",
            "note": "call 0712345678 now",
            "nested": [{"msisdn": "254712345678"}, "mail kofi@example.org"],
        },
    }
    scrubbed = scrub_event(event)
    text = repr(scrubbed)
    for secret in (
        "ama@example.com",
        "0201234567",
        "123 4567",
        "hunter2",
        "Token secret",
        "tok-991-xyz",
        "0712345678",
        "254712345678",
        "kofi@example.org",
        "sess-abc-123",
        "10.0.0.1",
    ):
        assert secret not in text, secret
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["request"]["headers"] == {"User-Agent": "UA"}
    assert scrubbed["request"]["url"] == "https://app.example/customers/5/"


def test_log_filter_masks_emails_and_phones():
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "login for %s from %s",
        ("ama@example.com", "+254712345678"),
        None,
    )
    ScrubFilter().filter(record)
    assert record.getMessage() == "login for [email] from [phone]"

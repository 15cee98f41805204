import time

import pytest

from portal.ratelimit import GuessLimiter, Rule, voucher_limiter

pytestmark = pytest.mark.django_db  # the default cache is the database table


def _limiter():
    return GuessLimiter("test", (Rule("mac", 3, 600, 60), Rule("ip", 5, 600, 60)))


def test_device_is_locked_out_after_its_limit_and_told_when_to_retry():
    limiter = _limiter()
    device = {"mac": "AA:BB:CC:DD:EE:01", "ip": "198.51.100.7"}
    # given two wrong guesses, the device may still try
    assert limiter.fail(device) is None
    assert limiter.fail(device) is None
    assert limiter.lockout(device) is None
    # when it fails a third time
    lockout = limiter.fail(device)
    # then it is locked out for the rule's time, and the lockout is seen on the next check
    assert lockout is not None and lockout.scope == "mac"
    assert 55 <= lockout.retry_after <= 60
    assert lockout.minutes == 1
    assert limiter.lockout(device).until == pytest.approx(lockout.until)


def test_changing_the_mac_does_not_escape_the_ip_limit():
    limiter = _limiter()
    for n in range(4):
        assert limiter.fail({"mac": f"AA:BB:CC:DD:EE:{n:02X}", "ip": "198.51.100.8"}) is None
    lockout = limiter.fail({"mac": "AA:BB:CC:DD:EE:99", "ip": "198.51.100.8"})
    assert lockout is not None and lockout.scope == "ip"
    assert limiter.lockout({"mac": "AA:BB:CC:DD:EE:AA", "ip": "198.51.100.8"}) is not None
    # another network is not affected
    assert limiter.lockout({"mac": "AA:BB:CC:DD:EE:AA", "ip": "198.51.100.9"}) is None


def test_repeated_lockouts_double_in_length():
    limiter = _limiter()
    device = {"mac": "AA:BB:CC:DD:EE:02"}
    for _ in range(3):
        first = limiter.fail(device)
    for _ in range(3):
        second = limiter.fail(device)
    assert first.until - time.time() == pytest.approx(60, abs=2)
    assert second.until - time.time() == pytest.approx(120, abs=2)


def test_success_resets_the_device_count():
    limiter = _limiter()
    device = {"mac": "AA:BB:CC:DD:EE:03"}
    limiter.fail(device)
    limiter.fail(device)
    limiter.reset(device)
    assert limiter.fail(device) is None
    assert limiter.fail(device) is None


def test_identities_are_not_stored_in_clear(settings):
    from django.core.cache import cache

    limiter = _limiter()
    limiter.fail({"mac": "AA:BB:CC:DD:EE:04"})
    key = limiter._key("count", "mac", "AA:BB:CC:DD:EE:04")
    assert "AA:BB" not in key
    assert cache.get(key) == 1


def test_voucher_limiter_reads_its_limits_from_settings(settings):
    settings.PORTAL_GUESSES_PER_DEVICE = 2
    limiter = voucher_limiter()
    device = {"mac": "AA:BB:CC:DD:EE:05"}
    assert limiter.fail(device) is None
    assert limiter.fail(device) is not None

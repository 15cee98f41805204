import hashlib

import pytest
from django.core import signing

from portal.handoff import (
    Handoff,
    chap_response,
    hand_back_url,
    octal_unescape,
    parse_handoff,
    router_error_code,
)

ROUTER_PARAMS = {
    "mac": "aa-bb-cc-dd-ee-0f",
    "ip": "10.5.50.23",
    "link-login-only": "http://10.5.50.1/login",
    "link-orig": "http://example.com/news",
    "chap-id": "\\375",
    "chap-challenge": "\\061\\222\\036\\377\\000\\101xyz",
    "identity": "Cafe-Hotspot",
    "error": "",
}


def test_router_values_are_validated_and_normalised():
    # given what MikroTik's login.html sends
    handoff = parse_handoff(ROUTER_PARAMS)

    # then each value is kept in a canonical form
    assert handoff.mac == "AA:BB:CC:DD:EE:0F"
    assert handoff.ip == "10.5.50.23"
    assert handoff.link_login_only == "http://10.5.50.1/login"
    assert handoff.link_orig == "http://example.com/news"
    assert handoff.chap_id == "\\375"
    assert handoff.identity == "Cafe-Hotspot"
    assert handoff.has_device and handoff.can_hand_back and handoff.uses_chap


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("mac", "AA:BB:CC:DD:EE"),
        ("mac", "<script>"),
        ("ip", "10.5.50.300"),
        ("ip", "evil.example"),
        ("link-orig", "javascript:alert(1)"),
        ("link-orig", "x" * 600),
        ("chap-id", "\\9999"),
        ("chap-challenge", "a\\b"),
        ("identity", "<b>router</b>"),
    ],
)
def test_malformed_values_are_dropped(name, value):
    handoff = parse_handoff({**ROUTER_PARAMS, name: value})
    field = name.replace("-", "_")
    assert getattr(handoff, field) == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://collector.example.com/login",  # a public site collecting codes
        "http://8.8.8.8/login",  # a public address
        "http://admin:pw@10.5.50.1/login",  # credentials in the URL
        "ftp://10.5.50.1/login",
        "http://10.5.50.1:99999/login",
    ],
)
def test_login_link_must_point_at_the_router_itself(url):
    assert parse_handoff({**ROUTER_PARAMS, "link-login-only": url}).link_login_only == ""


def test_login_link_may_use_the_pages_hotspot_dns_name():
    params = {**ROUTER_PARAMS, "link-login-only": "http://login.wifi/login"}
    assert parse_handoff(params).link_login_only == ""
    assert (
        parse_handoff(params, hotspot_dns_name="login.wifi").link_login_only
        == "http://login.wifi/login"
    )


def test_router_error_text_becomes_one_of_our_codes_never_the_text():
    assert router_error_code("invalid username or password") == "invalid_login"
    assert router_error_code("user NET1 has reached uptime limit") == "limit_reached"
    assert router_error_code("no more sessions are allowed for user") == "too_many_sessions"
    assert router_error_code("Call +1 555 0100 to unlock your Wi-Fi") == "router_error"
    assert router_error_code("") == ""


def test_token_round_trip_keeps_values_but_not_the_error():
    handoff = parse_handoff({**ROUTER_PARAMS, "error": "invalid username or password"})
    assert handoff.error == "invalid_login"
    restored = Handoff.from_token(handoff.to_token())
    assert restored.mac == handoff.mac
    assert restored.chap_challenge == handoff.chap_challenge
    assert restored.error == ""


def test_forged_or_stale_tokens_give_an_empty_handoff():
    token = parse_handoff(ROUTER_PARAMS).to_token()
    assert Handoff.from_token(token[:-2] + "xx").is_empty
    forged = signing.dumps({"mac": "AA:BB:CC:DD:EE:FF"}, salt="another-purpose")
    assert Handoff.from_token(forged).is_empty
    assert Handoff.from_token("").is_empty


def test_octal_escapes_become_bytes():
    assert octal_unescape("\\375") == b"\xfd"
    assert octal_unescape("\\061\\222x\\000") == b"1\x92x\x00"
    assert octal_unescape("plain") == b"plain"


def test_chap_response_matches_what_mikrotiks_md5_js_computes():
    # MikroTik's login.html: hexMD5('$(chap-id)' + password + '$(chap-challenge)'),
    # where the JavaScript string escapes are bytes.
    chap_id, challenge = "\\375", "\\061\\222\\036\\377"
    expected = hashlib.md5(b"\xfd" + b"NET1234ABCD" + b"1\x92\x1e\xff").hexdigest()  # noqa: S324
    assert chap_response(chap_id, "NET1234ABCD", challenge) == expected


def test_hand_back_uses_chap_when_offered_else_pap():
    chap = parse_handoff(ROUTER_PARAMS)
    url = hand_back_url(chap, username="NET-1234", password="secret")
    assert url.startswith("http://10.5.50.1/login?username=NET-1234&password=")
    assert "secret" not in url
    assert chap_response(chap.chap_id, "secret", chap.chap_challenge) in url
    assert "dst=http%3A%2F%2Fexample.com%2Fnews" in url

    pap = parse_handoff({**ROUTER_PARAMS, "chap-id": "", "chap-challenge": ""})
    assert "password=secret" in hand_back_url(pap, username="NET-1234", password="secret")


def test_no_hand_back_without_a_login_link():
    with pytest.raises(ValueError, match="link-login-only"):
        hand_back_url(Handoff(mac="AA:BB:CC:DD:EE:FF"), username="u", password="p")

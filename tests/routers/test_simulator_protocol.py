"""The simulator speaks the RouterOS API wire protocol, byte for byte."""

import asyncio
import hashlib

import pytest

from routers.simulator.protocol import (
    WireError,
    decode_length,
    encode_length,
    encode_word,
    length_size,
    read_sentence,
)
from routers.simulator.query import compile_query
from tests.routers.sim import SIM_PASSWORD, SIM_USERNAME, RawApi, run_async


@pytest.mark.parametrize(
    ("length", "encoded"),
    [
        (0, b"\x00"),
        (0x7F, b"\x7f"),
        (0x80, b"\x80\x80"),
        (0x3FFF, b"\xbf\xff"),
        (0x4000, b"\xc0\x40\x00"),
        (0x1FFFFF, b"\xdf\xff\xff"),
        (0x200000, b"\xe0\x20\x00\x00"),
        (0xFFFFFFF, b"\xef\xff\xff\xff"),
        (0x10000000, b"\xf0\x10\x00\x00\x00"),
        (0xFFFFFFFF, b"\xf0\xff\xff\xff\xff"),
    ],
)
def test_all_five_length_encodings_round_trip(length, encoded):
    assert encode_length(length) == encoded
    assert length_size(encoded[0]) == len(encoded)
    assert decode_length(encoded) == length


def test_reserved_control_bytes_are_refused():
    for first in (0xF8, 0xFF):
        with pytest.raises(WireError):
            length_size(first)
    with pytest.raises(ValueError, match="cannot be encoded"):
        encode_length(0x100000000)


def test_reader_decodes_long_words_and_utf8():
    long_word = "=comment=" + "é" * 9000  # > 0x3FFF bytes: a three-byte length
    data = encode_word("/ip/hotspot/user/add") + encode_word(long_word) + b"\x00"

    async def read():
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await read_sentence(reader)

    assert run_async(read()) == ["/ip/hotspot/user/add", long_word]


def test_queries_follow_the_routeros_stack_rules():
    items = [{"name": "a", "uptime": "5"}, {"name": "b", "uptime": "50"}, {"name": "c"}]

    def match(*words):
        predicate = compile_query(list(words))
        return [item["name"] for item in items if predicate(item)]

    assert match("?name=a") == ["a"]
    assert match("?=name=b") == ["b"]
    assert match("?uptime") == ["a", "b"]
    assert match("?-uptime") == ["c"]
    assert match("?>uptime=10") == ["b"]
    assert match("?<uptime=10") == ["a"]
    assert match("?name=a", "?name=b", "?#|") == ["a", "b"]
    assert match("?name=a", "?#!") == ["b", "c"]
    assert match("?uptime", "?name=b", "?#!&") == ["a"]
    assert match("?name=a", "?name=b", "?name=c", "?#||") == ["a", "b", "c"]
    assert match("?name=a", "?name=b", "?#1") == ["a"]  # index at the end replaces the stack


def test_login_is_required_before_any_command(sim_router):
    sim = sim_router()
    with RawApi(sim.port) as api:
        assert api.talk("/system/identity/print") == [["!fatal", "not logged in"]]


def test_wrong_password_is_a_trap_and_the_connection_stays_usable(sim_router):
    sim = sim_router()
    with RawApi(sim.port) as api:
        reply = api.login(password="wrong")
        assert reply[0][0] == "!trap"
        assert "=message=invalid user name or password (6)" in reply[0]
        assert reply[-1] == ["!done"]
        assert api.login() == [["!done"]]


def test_pre_643_challenge_login_works(sim_router):
    sim = sim_router()
    with RawApi(sim.port) as api:
        challenge = api.talk("/login")[0][1].removeprefix("=ret=")
        digest = hashlib.md5(
            b"\x00" + SIM_PASSWORD.encode() + bytes.fromhex(challenge), usedforsecurity=False
        ).hexdigest()
        assert api.talk("/login", f"=name={SIM_USERNAME}", f"=response=00{digest}") == [["!done"]]
        assert api.talk("/system/identity/print")[0][0] == "!re"


def test_tags_come_back_on_every_reply_sentence(sim_router):
    sim = sim_router(hotspot_users=3)
    with RawApi(sim.port) as api:
        api.login()
        replies = api.talk("/ip/hotspot/user/print", "=.proplist=name", ".tag=7")
        assert [s[0] for s in replies] == ["!re", "!re", "!re", "!done"]
        assert all(sentence[-1] == ".tag=7" for sentence in replies)
        assert replies[0][:2] == ["!re", "=name=guest001"]
        trap = api.talk("/ip/hotspot/user/remove", "=.id=*99", ".tag=8")
        assert trap[0][0] == "!trap"
        assert trap[0][-1] == ".tag=8"


def test_proplist_queries_and_count_only(sim_router):
    sim = sim_router(hotspot_users=5)
    with RawApi(sim.port) as api:
        api.login()
        replies = api.talk(
            "/ip/hotspot/user/print",
            "=.proplist=.id,name",
            "?=name=guest002",
            "?name=guest004",
            "?#|",
        )
        assert replies == [
            ["!re", "=.id=*2", "=name=guest002"],
            ["!re", "=.id=*4", "=name=guest004"],
            ["!done"],
        ]
        assert api.talk("/ip/hotspot/user/print", "=count-only=") == [["!done", "=ret=5"]]


def test_unknown_parameter_is_refused(sim_router):
    sim = sim_router()
    with RawApi(sim.port) as api:
        api.login()
        reply = api.talk("/ip/hotspot/user/add", "=name=x", "=colour=red")
        assert "=message=unknown parameter colour" in reply[0]


def test_routeros_718_sends_empty_before_done(sim_router):
    sim = sim_router(version="7.18.2")
    with RawApi(sim.port) as api:
        api.login()
        assert api.talk("/ppp/active/print") == [["!empty"], ["!done"]]


def test_old_routers_answer_an_unknown_path_with_two_traps(sim_router):
    old, new = sim_router(version="6.49.10"), sim_router(version="7.14.3")
    with RawApi(old.port) as api:
        api.login()
        assert [s[0] for s in api.talk("/no/such/print")] == ["!trap", "!trap", "!done"]
    with RawApi(new.port) as api:
        api.login()
        assert [s[0] for s in api.talk("/no/such/print")] == ["!trap", "!done"]


def test_quit_ends_with_fatal(sim_router):
    sim = sim_router()
    with RawApi(sim.port) as api:
        api.login()
        assert api.talk("/quit") == [["!fatal", "session terminated on request"]]


def test_garbage_from_a_client_closes_only_that_connection(sim_router):
    sim = sim_router()
    with RawApi(sim.port) as api:
        api.sock.sendall(b"\xff\xff\xff")
        assert api.sock.recv(10) == b""
    with RawApi(sim.port) as api:
        assert api.login() == [["!done"]]

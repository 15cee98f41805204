"""Simulated routers for tests of any app (vouchers, customers, portal…).

``tests/conftest.py`` imports the fixtures below, so every test can ask for:

* ``sim_fleet`` — the session's :class:`~routers.simulator.SimFleet`
  (127.0.0.1, ephemeral ports only);
* ``sim_router`` — a factory: ``router = sim_router(org_a, active_sessions=3)``
  starts a simulated router and returns a saved :class:`~routers.models.Router`
  pointing at it, with the live simulator on ``router.sim`` (also reachable as
  ``sim_fleet.router(router.api_port)``). Knobs (``latency``, ``black_hole``…)
  can be passed here or set later on ``router.sim``. Without an organisation
  it returns just the :class:`~routers.simulator.SimRouter`.

Plus :class:`RawApi`, a bare-bytes client for protocol tests, and :func:`run_async`.
"""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from routers.simulator import SimFleet, SimRouter
from routers.simulator.protocol import decode_length, encode_sentence, length_size

SIM_USERNAME = "nettportal"
SIM_PASSWORD = "sim-Router-Pass-7"


@pytest.fixture(scope="session")
def sim_fleet():
    with SimFleet() as fleet:
        yield fleet


@pytest.fixture
def sim_router(sim_fleet, request):
    started: list[SimRouter] = []

    def make(organization=None, *, tls: bool = False, name: str | None = None, **options):
        options.setdefault("username", SIM_USERNAME)
        options.setdefault("password", SIM_PASSWORD)
        options.setdefault("seed", len(started) + 1)
        sim = sim_fleet.add(tls=tls, plain=not tls, **options)
        started.append(sim)
        if organization is None:
            return sim
        from accounts.tenancy import tenant
        from routers.models import Router

        with tenant(organization):
            router = Router.objects.create(
                organization=organization,
                name=name or f"{sim.identity} {sim.port or sim.tls_port}",
                host="127.0.0.1",
                api_port=sim.tls_port if tls else sim.port,
                use_tls=tls,
                verify_tls=False,
                username=options["username"],
                password=options["password"],
            )
        router.sim = sim
        return router

    yield make
    for sim in started:
        sim_fleet.remove(sim)


def run_async(coroutine):
    """``asyncio.run`` in a fresh thread: Playwright's sync API leaves an event loop
    running in the main thread once a browser test has run in the session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class RawApi:
    """Speaks the wire format with plain bytes, to test what librouteros cannot."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 5):
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, *words: str) -> None:
        self.sock.sendall(encode_sentence(words))

    def _read(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def read_sentence(self) -> list[str]:
        words = []
        while True:
            first = self._read(1)
            size = length_size(first[0])
            length = decode_length(first + (self._read(size - 1) if size > 1 else b""))
            if length == 0:
                return words
            words.append(self._read(length).decode())

    def talk(self, *words: str) -> list[list[str]]:
        """Send one sentence; read replies up to ``!done`` or ``!fatal``."""
        self.send(*words)
        replies = []
        while True:
            sentence = self.read_sentence()
            replies.append(sentence)
            if sentence[0] in ("!done", "!fatal"):
                return replies

    def login(self, username: str = SIM_USERNAME, password: str = SIM_PASSWORD):
        return self.talk("/login", f"=name={username}", f"=password={password}")

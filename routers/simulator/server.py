"""The API server: a fleet of simulated routers, each on its own TCP port
(and optionally an API-SSL port), all served by one asyncio loop in a
background thread so tests, the bench and ``manage.py routeros_sim`` share
one code path.

Connection handling follows RouterOS: a sentence is a command word, then
``=attr=value`` words, ``?`` query words and an optional ``.tag=`` word; each
reply sentence carries the same tag; only ``/login`` works before logging in
(anything else is ``!fatal not logged in``); a failed login is a ``!trap``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass, field

from routers.simulator.protocol import WireError, encode_sentence, read_sentence
from routers.simulator.router import CommandError, FatalError, MultiCommandError, Reply, SimRouter
from routers.simulator.tls import Certificate, self_signed_certificate

logger = logging.getLogger(__name__)

GARBAGE_PREFIX = b"\xf8"  # a reserved control byte: no client can read past it


@dataclass
class _Listeners:
    servers: list = field(default_factory=list)
    writers: set = field(default_factory=set)


class SimFleet:
    """Many simulated routers on 127.0.0.1. Use as a context manager or call
    :meth:`start` / :meth:`stop`.

    ``fleet.add(port=0)`` picks an ephemeral port (tests); ``add_many(count,
    base_port=18728)`` uses consecutive ports (the demo fleet).
    """

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self._routers: dict[int, SimRouter] = {}
        self._listeners: dict[int, _Listeners] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._certificate: Certificate | None = None
        self._ssl_context = None

    # ---------------------------------------------------------- lifecycle
    def start(self) -> SimFleet:
        if self._loop is not None:
            return self
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="routeros-sim", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        with contextlib.suppress(Exception):
            self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop = None
        self._routers.clear()
        self._listeners.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _call(self, coroutine, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # ------------------------------------------------------------ routers
    @property
    def certificate(self) -> Certificate:
        if self._certificate is None:
            self._certificate = self_signed_certificate()
            self._ssl_context = self._certificate.server_context()
        return self._certificate

    def add(
        self,
        router: SimRouter | None = None,
        *,
        port: int = 0,
        tls: bool = False,
        tls_port: int = 0,
        plain: bool = True,
        **options,
    ) -> SimRouter:
        """Start serving one router; ``options`` go to :class:`SimRouter`."""
        self.start()
        router = router or SimRouter(**options)
        router.host = self.host
        if tls:
            _ = self.certificate
        self._call(self._listen(router, port if plain else None, tls_port if tls else None))
        return router

    def add_many(
        self, count: int, *, base_port: int = 0, tls_base_port: int | None = None, **options
    ) -> list[SimRouter]:
        """``count`` routers on consecutive ports from ``base_port`` (0: ephemeral)."""
        routers = []
        seed = options.pop("seed", None)
        identity = options.pop("identity", "Sim")
        for index in range(count):
            routers.append(
                self.add(
                    port=base_port + index if base_port else 0,
                    tls=tls_base_port is not None,
                    tls_port=(tls_base_port + index) if tls_base_port else 0,
                    identity=f"{identity}-{index + 1:03d}",
                    seed=None if seed is None else seed + index,
                    **options,
                )
            )
        return routers

    def router(self, port: int) -> SimRouter:
        """The router listening on ``port`` (plain or TLS)."""
        return self._routers[port]

    @property
    def routers(self) -> list[SimRouter]:
        return list(dict.fromkeys(self._routers.values()))

    def take_down(self, router: SimRouter) -> None:
        """Stop listening and drop connections: the router is unreachable."""
        self._call(self._close(router, listeners_too=True))

    def bring_up(self, router: SimRouter) -> None:
        """Listen again on the same port(s)."""
        self._call(self._listen(router, router.port, router.tls_port))

    def remove(self, router: SimRouter) -> None:
        """Stop serving ``router`` for good and forget it."""
        self._call(self._close(router, listeners_too=True))
        for port in (router.port, router.tls_port):
            if self._routers.get(port) is router:
                del self._routers[port]
        self._listeners.pop(id(router), None)

    def drop_connections(self, router: SimRouter) -> None:
        self._call(self._close(router, listeners_too=False))

    # --------------------------------------------------------- internals
    async def _listen(self, router: SimRouter, port, tls_port) -> None:
        listeners = self._listeners.setdefault(id(router), _Listeners())
        if port is not None:
            server = await asyncio.start_server(
                lambda r, w: self._serve(router, r, w),
                self.host,
                port,
                reuse_address=True,
                backlog=512,
            )
            router.port = server.sockets[0].getsockname()[1]
            self._routers[router.port] = router
            listeners.servers.append(server)
        if tls_port is not None:
            server = await asyncio.start_server(
                lambda r, w: self._serve(router, r, w),
                self.host,
                tls_port,
                ssl=self._ssl_context,
                reuse_address=True,
                backlog=512,
            )
            router.tls_port = server.sockets[0].getsockname()[1]
            self._routers[router.tls_port] = router
            listeners.servers.append(server)

    async def _shutdown(self) -> None:
        for router in self.routers:
            await self._close(router, listeners_too=True)
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _close(self, router: SimRouter, *, listeners_too: bool) -> None:
        listeners = self._listeners.get(id(router))
        if listeners is None:
            return
        servers = list(listeners.servers) if listeners_too else []
        for server in servers:
            server.close()
        if listeners_too:
            listeners.servers.clear()
        for writer in list(listeners.writers):
            writer.close()
        for server in servers:
            await server.wait_closed()

    async def _serve(self, router: SimRouter, reader, writer) -> None:
        listeners = self._listeners.setdefault(id(router), _Listeners())
        listeners.writers.add(writer)
        session = _Session(router)
        try:
            while True:
                words = await read_sentence(reader)
                if not words or router.black_hole:
                    continue  # RouterOS ignores empty sentences; a black hole ignores all
                reply = session.handle(words)
                if router.latency:
                    await asyncio.sleep(router.latency)
                data = b"".join(encode_sentence(s) for s in reply.sentences)
                if reply.fatal is not None:
                    data += encode_sentence(["!fatal", reply.fatal])
                if session.logged_in and not session.is_login(words):
                    if _chance(router, router.garbage_rate):
                        writer.write(GARBAGE_PREFIX + secrets.token_bytes(31))
                        await writer.drain()
                        continue
                    if _chance(router, router.drop_rate):
                        writer.write(data[: max(1, len(data) // 2)])
                        await writer.drain()
                        break
                writer.write(data)
                await writer.drain()
                if reply.close or reply.fatal is not None:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, WireError, OSError):
            pass
        except Exception:  # a simulator bug must not kill the fleet
            logger.exception("routeros-sim: error serving a connection")
        finally:
            listeners.writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def _chance(router: SimRouter, rate: float) -> bool:
    if rate <= 0:
        return False
    with router.lock:
        return rate >= 1 or router.rng.random() < rate


class _Session:
    """One API connection's state: logged in or not, the login challenge."""

    def __init__(self, router: SimRouter):
        self.router = router
        self.logged_in = False
        self.challenge: bytes | None = None

    @staticmethod
    def is_login(words) -> bool:
        return words[0] == "/login"

    def handle(self, words: list[str]) -> Reply:
        command = words[0]
        attributes: dict[str, str] = {}
        queries: list[str] = []
        tag = None
        try:
            for word in words[1:]:
                if word.startswith(".tag="):
                    tag = word[5:]
                elif word.startswith("=.tag="):
                    tag = word[6:]
                elif word.startswith("="):
                    name, _, value = word[1:].partition("=")
                    attributes[name] = value
                elif word.startswith("?"):
                    queries.append(word)
                else:
                    raise CommandError(f"unknown parameter {word[:40]}", 1)
            if not command.startswith("/"):
                raise CommandError("no such command", 0)
            if command == "/login":
                reply = self._login(attributes)
            elif not self.logged_in:
                reply = Reply(fatal="not logged in")
            else:
                reply = self._command(command, attributes, queries)
        except MultiCommandError as errors:
            reply = Reply([_trap(error) for error in errors.errors] + [["!done"]])
        except CommandError as error:
            reply = Reply([_trap(error), ["!done"]])
        except WireError as error:
            reply = Reply([_trap(CommandError(str(error), 5)), ["!done"]])
        except FatalError as error:
            reply = Reply(fatal=str(error))
        if tag is not None:
            for sentence in reply.sentences:
                sentence.append(f".tag={tag}")
        return reply

    def _command(self, command, attributes, queries) -> Reply:
        router = self.router
        if _chance(router, router.failure_rate):
            raise CommandError("simulated failure: action timed out - try again", 2)
        return router.execute(command, attributes, queries)

    def _login(self, attributes) -> Reply:
        name = attributes.get("name")
        if name is None:
            # Before RouterOS 6.43: ask for a challenge, answer with its MD5.
            self.challenge = secrets.token_bytes(16)
            return Reply([["!done", f"=ret={self.challenge.hex()}"]])
        if "response" in attributes:
            password = self.router.api_users.get(name)
            expected = None
            if self.challenge is not None and password is not None:
                digest = hashlib.md5(  # RouterOS's own pre-6.43 scheme
                    b"\x00" + password.encode() + self.challenge, usedforsecurity=False
                )
                expected = "00" + digest.hexdigest()
            accepted = expected == attributes["response"] and not self.router.reject_logins
            with self.router.lock:
                self.router.logins += 1
        else:
            accepted = self.router.check_login(name, attributes.get("password", ""))
        if not accepted:
            return Reply([_trap(CommandError("invalid user name or password (6)")), ["!done"]])
        self.logged_in = True
        return Reply([["!done"]])


def _trap(error: CommandError) -> list[str]:
    words = ["!trap"]
    if error.category is not None:
        words.append(f"=category={error.category}")
    words.append(f"=message={error.message}")
    return words

"""The only code that imports librouteros.

Two faces over one error mapping:

* :func:`connect` → :class:`RouterClient`, blocking, for interactive actions
  (test connection, disconnect a session, push a hotspot user);
* :func:`async_connect` → :class:`AsyncRouterClient`, built on
  ``librouteros.async_connect``, for polling many routers concurrently.

Pitfalls of librouteros 4.x and RouterOS handled here, once:

* ``Api.__call__`` is a generator that sends nothing until iterated. We write
  the sentence ourselves and read the whole reply before returning.
* librouteros turns ``123``/``yes``/``true`` values into int/bool, so a user
  named ``0042`` or ``yes`` would come back changed. Our Api subclasses keep
  every value as text, and every name and password we send is ``str()``-ed.
* Its default ASCII encoding silently drops non-ASCII bytes: we use UTF-8.
* ``ssl_wrapper(sock)`` without ``server_hostname`` cannot verify; the sync
  face wraps with ``server_hostname=host``, or uses an explicit no-verify
  context when verification is off.
* After a timeout or a parse error the byte stream is out of step: that
  connection is closed and never reused (a ``!trap`` leaves it in step).
* RouterOS 7.18+ may send ``!empty`` before ``!done``; older routers answer an
  unknown path with two ``!trap``\\ s. Both are read to ``!done``.
* librouteros logs every word at DEBUG, passwords included: a filter redacts
  them and the logger is kept at INFO.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import re
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache

import librouteros
from librouteros.api import Api, AsyncApi
from librouteros.connections import SocketTransport
from librouteros.exceptions import ConnectionClosed, FatalError, ProtocolError
from librouteros.protocol import (
    ApiProtocol,
    AsyncApiProtocol,
    encode_word,
)
from librouteros.protocol import log as wire_log

from routers.routeros.commands import Command, CommandSet, RawReply
from routers.routeros.errors import (
    RouterAuthFailed,
    RouterCommandRejected,
    RouterError,
    RouterProtocolError,
    RouterTimeout,
    RouterUnreachable,
)

logger = logging.getLogger("routers.routeros")
ENCODING = "utf-8"
_SECRET_WORD = re.compile(r"(=(?:password|response|secret|passphrase)=).*", re.IGNORECASE)


class _RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "=" in record.msg:
            record.msg = _SECRET_WORD.sub(r"\1[redacted]", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SECRET_WORD.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


_wire_logger = logging.getLogger("librouteros")
_wire_logger.addFilter(_RedactSecrets())
_wire_logger.setLevel(logging.INFO)


@dataclass(frozen=True)
class RouterTarget:
    """Where and how to reach one router. ``password`` never appears in ``repr``."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    use_tls: bool = False
    verify_tls: bool = True
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    ca_data: str | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


class _Trap(Exception):
    def __init__(self, traps: list[dict[str, str]]):
        super().__init__("!trap")
        self.traps = traps


def _attributes(words) -> dict[str, str]:
    row: dict[str, str] = {}
    for word in words:
        if word.startswith("="):
            name, separator, value = word[1:].partition("=")
            if not separator:
                raise ProtocolError("attribute word without a value")
            row[name] = value
        elif not word.startswith(".tag="):
            raise ProtocolError("unexpected word in a reply")
    return row


def _collect(reply_word: str, words, reply: RawReply, traps: list) -> bool:
    """Add one sentence to ``reply``; True once ``!done`` arrived."""
    if reply_word == "!re":
        reply.rows.append(_attributes(words))
    elif reply_word == "!done":
        reply.done = _attributes(words)
        return True
    elif reply_word == "!trap":
        traps.append(_attributes(words))
    elif reply_word != "!empty":
        raise ProtocolError("unexpected reply word")
    return False


class _TextApi(Api):
    """librouteros's Api, reading replies as text (no int/bool guessing)."""

    def exchange(self, word: str, words: tuple[str, ...]) -> RawReply:
        self.protocol.writeSentence(word, *words)
        reply, traps = RawReply(), []
        while True:
            reply_word, sentence = self.protocol.readSentence()
            if _collect(reply_word, sentence, reply, traps):
                break
        if traps:
            raise _Trap(traps)
        return reply


class _FastAsyncProtocol(AsyncApiProtocol):
    """librouteros's asyncio protocol with a buffered read path for polling.

    The stock reader wraps every sentence in ``asyncio.wait_for`` (a new Task
    each), reads every word in three awaited calls and formats a debug line
    per word even when debug logging is off. Polling a thousand routers with
    a hundred sessions each reads over a million words a minute, so here the
    socket is read in large pieces into a buffer and every complete sentence
    in it is parsed at once, in plain Python with no awaits; a reply is read
    under one ``asyncio.timeout`` that moves on whenever a sentence completes
    (each sentence must still arrive within the read timeout). Wire logging is
    formatted only when enabled. Framing (length prefixes up to four bytes,
    control bytes are a protocol error) and ``!fatal`` handling are
    librouteros's.
    """

    READ_SIZE = 1 << 16

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._buffer = bytearray()
        self._ready: collections.deque[list[str]] = collections.deque()

    async def writeSentence(self, cmd: str, *words: str) -> None:  # librouteros API names
        if _wire_logger.isEnabledFor(logging.DEBUG):
            wire_log("<---", cmd, *words)
        data = b"".join(encode_word(word, self.encoding) for word in (cmd, *words)) + b"\x00"
        writer = self.transport.writer
        writer.write(data)
        if writer.transport.get_write_buffer_size():
            async with asyncio.timeout(self.timeout):
                await writer.drain()

    def _parse_buffer(self) -> bool:
        """Move every complete sentence from the buffer to ``_ready``; True if any."""
        buffer = self._buffer
        size = len(buffer)
        encoding = self.encoding
        ready = self._ready
        position = consumed = 0
        words: list[str] = []
        found = False
        while position < size:
            first = buffer[position]
            if first < 0x80:
                length, start = first, position + 1
            elif first < 0xC0:
                if position + 2 > size:
                    break
                length, start = ((first & 0x3F) << 8) | buffer[position + 1], position + 2
            elif first < 0xE0:
                if position + 3 > size:
                    break
                length = int.from_bytes(buffer[position : position + 3], "big") & 0x1FFFFF
                start = position + 3
            elif first < 0xF0:
                if position + 4 > size:
                    break
                length = int.from_bytes(buffer[position : position + 4], "big") & 0xFFFFFFF
                start = position + 4
            else:
                raise ProtocolError(f"Unknown controll byte {bytes((first,))!r}")
            if not length:
                ready.append(words)
                found = True
                words = []
                position = consumed = start
                continue
            end = start + length
            if end > size:
                break
            words.append(buffer[start:end].decode(encoding, "replace"))
            position = end
        if consumed:
            del buffer[:consumed]
        return found

    async def _next_sentence(self, deadline: asyncio.Timeout | None = None) -> list[str]:
        """The next complete sentence; waits for more bytes when there is none."""
        reader = self.transport.reader
        while not self._ready:
            data = await reader.read(self.READ_SIZE)
            if not data:
                raise ConnectionClosed("Connection unexpectedly closed.")
            self._buffer += data
            if self._parse_buffer() and deadline is not None:
                deadline.reschedule(asyncio.get_running_loop().time() + self.timeout)
        words = self._ready.popleft()
        if _wire_logger.isEnabledFor(logging.DEBUG):
            wire_log("--->", *words)
        if not words:
            raise ProtocolError("empty sentence")
        if words[0] == "!fatal":
            await self.transport.close()
            raise FatalError(words[1] if len(words) > 1 else "")
        return words

    async def readSentence(self) -> tuple[str, tuple[str, ...]]:  # librouteros API names
        async with asyncio.timeout(self.timeout):
            words = await self._next_sentence()
        return words[0], tuple(words[1:])

    async def read_reply(self) -> RawReply:
        """Sentences up to ``!done`` (one timeout, moved on as sentences complete)."""
        reply, traps = RawReply(), []
        async with asyncio.timeout(self.timeout) as deadline:
            while True:
                words = await self._next_sentence(deadline)
                if _collect(words[0], words[1:], reply, traps):
                    break
        if traps:
            raise _Trap(traps)
        return reply


class _TextAsyncApi(AsyncApi):
    def __init__(self, protocol: AsyncApiProtocol) -> None:
        super().__init__(
            _FastAsyncProtocol(protocol.transport, protocol.encoding, protocol.timeout)
        )

    async def exchange(self, word: str, words: tuple[str, ...]) -> RawReply:
        await self.protocol.writeSentence(word, *words)
        return await self.protocol.read_reply()


def _login_words(target: RouterTarget) -> tuple[str, str]:
    return (f"=name={target.username!s}", f"=password={target.password!s}")


@lru_cache(maxsize=16)
def _tls_context(verify: bool, ca_data: str | None, ca_file: str | None) -> ssl.SSLContext:
    if verify:
        context = ssl.create_default_context(cafile=ca_file or None, cadata=ca_data or None)
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def tls_context(target: RouterTarget) -> ssl.SSLContext:
    from django.conf import settings

    return _tls_context(
        target.verify_tls, target.ca_data, getattr(settings, "ROUTER_TLS_CA_FILE", "") or None
    )


# ---------------------------------------------------------------- errors
def map_error(
    exc: BaseException, *, target: RouterTarget, stage: str, command: str = ""
) -> RouterError | None:
    """One mapping for both faces. ``stage`` is connect, login or command."""
    where = target.address
    if isinstance(exc, RouterError):
        return exc
    if isinstance(exc, _Trap):
        messages = [trap.get("message", "").strip() for trap in exc.traps]
        text = "; ".join(m for m in messages if m) or "no reason given"
        if stage == "login":
            return RouterAuthFailed(
                f"{where} refused the login ({text}). Check the username and password, "
                "and that the user's group has the 'api' and 'read' policies."
            )
        categories = tuple(trap.get("category", "") for trap in exc.traps)
        return RouterCommandRejected(
            f"The router refused {command}: {text}",
            router_message=text,
            command=command,
            categories=categories,
        )
    if isinstance(exc, TimeoutError):  # also socket.timeout and asyncio.TimeoutError
        if stage == "connect":
            return RouterTimeout(
                f"{where} did not accept a connection within {target.connect_timeout:g} s. "
                "Check the address, the port and any firewall or VPN in between."
            )
        if stage == "login":
            return RouterTimeout(
                f"{where} accepted the connection but did not answer the login within "
                f"{target.connect_timeout:g} s. Is this the RouterOS API port? "
                f"{'(For API-SSL, turn TLS on.)' if not target.use_tls else ''}".strip()
            )
        return RouterTimeout(f"{where} did not answer {command} within {target.read_timeout:g} s.")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return RouterUnreachable(
            f"The TLS certificate of {where} is not trusted ({exc.verify_message}). Install a "
            "trusted certificate on the router or turn certificate verification off."
        )
    if isinstance(exc, ssl.SSLError):
        return RouterUnreachable(
            f"TLS with {where} failed ({exc.reason or exc}). Is API-SSL enabled on this port, "
            "with a certificate assigned?"
        )
    if isinstance(exc, ConnectionRefusedError):
        return RouterUnreachable(
            f"{where} refused the connection. Is the API service enabled on port {target.port}?"
        )
    if isinstance(exc, socket.gaierror):
        return RouterUnreachable(f"The host name {target.host} could not be resolved.")
    if isinstance(exc, ConnectionClosed | ConnectionResetError | BrokenPipeError | EOFError):
        if stage == "command":
            return RouterUnreachable(f"{where} closed the connection in the middle of {command}.")
        return RouterUnreachable(
            f"{where} closed the connection during {stage}. Is this address allowed to use the "
            "API (IP → Services → api → available from)?"
        )
    if isinstance(exc, FatalError):
        return RouterProtocolError(f"{where} ended the API session ({exc}).")
    if isinstance(exc, ProtocolError | UnicodeError | ValueError | IndexError | KeyError):
        return RouterProtocolError(
            f"{where} sent a reply that is not valid RouterOS API"
            f"{' during ' + command if command else ''}."
        )
    if isinstance(exc, OSError):
        return RouterUnreachable(f"Could not reach {where} ({exc.strerror or type(exc).__name__}).")
    return None


# --------------------------------------------------------------- sync face
class RouterClient(CommandSet):
    """A logged-in, blocking API connection. Use with ``with``."""

    def __init__(self, api: _TextApi, target: RouterTarget):
        self._api: _TextApi | None = api
        self.target = target
        self._reused = False  # taken from a ConnectionPool, no command sent since

    def run(self, command: Command):
        if self._reused:
            self._reused = False
            try:
                return self._run(command)
            except RouterUnreachable:
                # The router dropped the idle connection (rebooted, API service restarted)
                # and the pool's check did not see it yet: a reset or closed socket before
                # any reply means the command did not run there. Once more on a new one.
                fresh = connect(self.target)
                self._api, fresh._api = fresh._api, None
        return self._run(command)

    @property
    def is_open(self) -> bool:
        return self._api is not None

    def _socket(self) -> socket.socket | None:
        return self._api.protocol.transport.sock if self._api is not None else None

    def _run(self, command: Command):
        if self._api is None:
            raise RouterProtocolError("This router connection was closed after an error.")
        started = time.monotonic()
        try:
            reply = self._api.exchange(command.word, command.words)
            result = command.parse(reply)
        except Exception as exc:
            error = map_error(exc, target=self.target, stage="command", command=command.word)
            if not isinstance(error, RouterCommandRejected):
                self.close()  # the stream is out of step; never reuse it
            if error is None:
                raise
            raise error from exc
        logger.debug(
            "%s %s: %d row(s) in %.0f ms",
            self.target.address,
            command.word,
            len(reply.rows),
            (time.monotonic() - started) * 1000,
        )
        return result

    def close(self) -> None:
        api, self._api = self._api, None
        if api is not None:
            with contextlib.suppress(OSError):
                api.close()

    def __enter__(self) -> RouterClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(target: RouterTarget) -> RouterClient:
    """Connect and log in (post-6.43 plain login), or raise a RouterError."""
    stage = "connect"
    sock = None
    try:
        sock = socket.create_connection((target.host, target.port), timeout=target.connect_timeout)
        if target.use_tls:
            sock = tls_context(target).wrap_socket(sock, server_hostname=target.host)
        stage = "login"
        api = _TextApi(protocol=ApiProtocol(transport=SocketTransport(sock), encoding=ENCODING))
        api.exchange("/login", _login_words(target))
        sock.settimeout(target.read_timeout)
    except Exception as exc:
        if sock is not None:
            sock.close()
        error = map_error(exc, target=target, stage=stage, command="/login")
        if error is None:
            raise
        raise error from exc
    return RouterClient(api, target)


class ConnectionPool:
    """Logged-in sync connections kept open between uses, per process.

    A landing page redeems vouchers on the same few routers all day; a new
    connection and login per redemption doubled the round trips to the router
    and its work. ``with pool.client(target) as client`` lends an idle
    connection to ``target`` (or opens one) to one caller at a time and takes
    it back afterwards, unless a command broke it (the client then closed
    itself) or the block was interrupted mid-reply (closed here).

    Staleness: a connection idle longer than ``max_idle_seconds`` is closed,
    one the router has closed (readable before we asked anything) is
    discarded, and a reused connection whose first command finds it reset is
    replaced once (see :meth:`RouterClient.run`). ``target`` includes the
    credentials, so a changed password never reuses an old login. Forked
    processes (gunicorn workers) start with an empty pool.
    """

    def __init__(
        self, *, max_idle_per_target: int = 4, max_idle: int = 64, max_idle_seconds: float = 30.0
    ):
        self.max_idle_per_target = max_idle_per_target
        self.max_idle = max_idle
        self.max_idle_seconds = max_idle_seconds
        self._idle: dict[RouterTarget, list[tuple[float, RouterClient]]] = {}
        self._count = 0
        self._lock = threading.Lock()
        self._pid = os.getpid()

    @contextlib.contextmanager
    def client(self, target: RouterTarget):
        client = self._take(target) or connect(target)
        try:
            yield client
        except Exception:
            # A client still open read every reply to its end (run() closes it on any
            # other failure), so a refused command or an error of the caller's own
            # leaves it in step and reusable.
            self._give_back(target, client)
            raise
        except BaseException:  # interrupted in the middle of a reply
            client.close()
            raise
        self._give_back(target, client)

    def clear(self) -> None:
        with self._lock:
            idle, self._idle, self._count = self._idle, {}, 0
        for entries in idle.values():
            for _, client in entries:
                client.close()

    def idle_count(self, target: RouterTarget | None = None) -> int:
        with self._lock:
            if target is None:
                return self._count
            return len(self._idle.get(target, ()))

    def _take(self, target: RouterTarget) -> RouterClient | None:
        if self._pid != os.getpid():  # a forked child must not share its parent's sockets
            with self._lock:
                self._idle, self._count, self._pid = {}, 0, os.getpid()
        deadline = time.monotonic() - self.max_idle_seconds
        while True:
            with self._lock:
                entries = self._idle.get(target)
                if not entries:
                    return None
                since, client = entries.pop()  # the most recently used
                self._count -= 1
                if not entries:
                    del self._idle[target]
            if since >= deadline and _is_quiet(client._socket()):
                client._reused = True
                return client
            client.close()

    def _give_back(self, target: RouterTarget, client: RouterClient) -> None:
        if not client.is_open or self._pid != os.getpid():
            client.close()
            return
        client._reused = False
        surplus = []
        with self._lock:
            entries = self._idle.setdefault(target, [])
            entries.append((time.monotonic(), client))
            self._count += 1
            if len(entries) > self.max_idle_per_target:
                surplus.append(entries.pop(0)[1])
                self._count -= 1
            while self._count > self.max_idle:
                oldest = min(self._idle, key=lambda key: self._idle[key][0][0])
                surplus.append(self._idle[oldest].pop(0)[1])
                self._count -= 1
                if not self._idle[oldest]:
                    del self._idle[oldest]
        for extra in surplus:
            extra.close()


# The process's pool, for callers that opt in (``routers.services.router_client(reuse=True)``).
connection_pool = ConnectionPool()


def _is_quiet(sock: socket.socket | None) -> bool:
    """True if nothing is waiting to be read: an idle API connection the peer
    has closed is readable (EOF), and one with unasked-for data is out of step."""
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


# -------------------------------------------------------------- async face
class AsyncRouterClient(CommandSet):
    """A logged-in asyncio API connection. Use with ``async with``."""

    def __init__(self, api: _TextAsyncApi, target: RouterTarget):
        self._api: _TextAsyncApi | None = api
        self.target = target

    async def run(self, command: Command):
        if self._api is None:
            raise RouterProtocolError("This router connection was closed after an error.")
        try:
            reply = await self._api.exchange(command.word, command.words)
            return command.parse(reply)
        except Exception as exc:
            error = map_error(exc, target=self.target, stage="command", command=command.word)
            if not isinstance(error, RouterCommandRejected):
                self.abort()
            if error is None:
                raise
            raise error from exc
        except BaseException:  # cancelled: the stream is out of step
            self.abort()
            raise

    def abort(self) -> None:
        """Drop the connection at once (no goodbye to a peer that may not answer)."""
        api, self._api = self._api, None
        if api is not None:
            api.protocol.transport.writer.transport.abort()

    async def close(self) -> None:
        api, self._api = self._api, None
        if api is not None:
            try:
                await api.close()
            except (OSError, TimeoutError, ConnectionClosed):
                api.protocol.transport.writer.transport.abort()

    async def __aenter__(self) -> AsyncRouterClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


async def async_connect(target: RouterTarget) -> AsyncRouterClient:
    """``librouteros.async_connect`` with our Api class, UTF-8 and error mapping.

    The connect timeout is one budget for the TCP connect, the TLS handshake
    and the login together (a router that accepts the connection and never
    answers costs exactly that); afterwards each reply sentence must arrive
    within the read timeout.
    """
    stage = ["connect"]

    async def login(api: _TextAsyncApi, username: str, password: str) -> None:
        stage[0] = "login"
        await api.exchange("/login", _login_words(target))

    try:
        async with asyncio.timeout(target.connect_timeout):
            api = await librouteros.async_connect(
                target.host,
                str(target.username),
                str(target.password),
                port=target.port,
                timeout=target.connect_timeout,
                subclass=_TextAsyncApi,
                encoding=ENCODING,
                ssl_wrapper=tls_context(target) if target.use_tls else None,
                login_method=login,
            )
    except Exception as exc:
        error = map_error(exc, target=target, stage=stage[0], command="/login")
        if error is None:
            raise
        raise error from exc
    api.protocol.timeout = target.read_timeout
    return AsyncRouterClient(api, target)

"""A small threaded HTTP server the fakes share, with callback delivery helpers."""

from __future__ import annotations

import json
import random
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        try:
            value = json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError):
            return None
        return value


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)

    @classmethod
    def json(cls, value, status: int = 200) -> Response:
        return cls(status=status, body=json.dumps(value).encode())


@dataclass
class Delivery:
    """One callback/webhook the fake sends (or holds for the test to send)."""

    url: str
    body: bytes
    headers: dict
    status: int | None = None  # what our server answered, once sent


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout tests) is not an error worth a traceback.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeServer:
    """Routes are ``(method, regex) -> handler(request, match) -> Response``."""

    name = "fake"

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.lock = threading.RLock()
        self.routes: list[tuple[str, re.Pattern, callable]] = []
        self.calls: dict[str, int] = {}
        # Deliveries: "send" posts them, "hold" keeps them for the test, "drop" loses them.
        self.callback_mode = "send"
        self.callback_delay = 0.0
        self.callback_copies = 1
        self.held: list[Delivery] = []
        self.sent: list[Delivery] = []
        self.failures: list[dict] = []  # queued misbehaviour for the next matching calls
        self.route("POST", r"/__fake__/config", self._config)
        self.route("GET", r"/__fake__/state", self._state)

    # --- lifecycle -------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: tests and the demo have their own logs
                return

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                response = fake.dispatch(request)
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = _handle

        self._server = _QuietServer((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def serve_forever(self) -> None:
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def dispatch(self, request: Request) -> Response:
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                return handler(request, match)
        return Response.json({"error": "not found"}, status=404)

    def count(self, endpoint: str) -> None:
        with self.lock:
            self.calls[endpoint] = self.calls.get(endpoint, 0) + 1

    # --- misbehaviour ------------------------------------------------------------------
    def fail(
        self, endpoint: str, *, status: int = 500, body=None, delay: float = 0.0, times: int = 1
    ) -> None:
        """Make the next ``times`` calls to ``endpoint`` answer ``status`` (after ``delay``)."""
        with self.lock:
            for _ in range(times):
                self.failures.append(
                    {"endpoint": endpoint, "status": status, "body": body, "delay": delay}
                )

    def take_failure(self, endpoint: str) -> Response | None:
        with self.lock:
            for index, failure in enumerate(self.failures):
                if failure["endpoint"] == endpoint:
                    self.failures.pop(index)
                    break
            else:
                return None
        if failure["delay"]:
            time.sleep(failure["delay"])
        body = failure["body"] if failure["body"] is not None else {"errorMessage": "fake failure"}
        return Response.json(body, status=failure["status"])

    # --- callbacks ---------------------------------------------------------------------
    def deliver(
        self, url: str, body: bytes, headers: dict | None = None, delay: float | None = None
    ) -> None:
        """Send (or hold, or drop) a callback, with the configured delay and copies."""
        headers = {"Content-Type": "application/json", **(headers or {})}
        copies = [Delivery(url, body, headers) for _ in range(max(1, self.callback_copies))]
        if self.callback_mode == "drop":
            return
        if self.callback_mode == "hold":
            with self.lock:
                self.held.extend(copies)
            return
        wait = self.callback_delay if delay is None else delay
        for delivery in copies:
            threading.Thread(target=self._post, args=(delivery, wait), daemon=True).start()

    def _post(self, delivery: Delivery, wait: float) -> None:
        if wait:
            time.sleep(wait)
        request = urllib.request.Request(  # noqa: S310 - our own callback URL
            delivery.url, data=delivery.body, headers=delivery.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                delivery.status = answer.status
        except urllib.error.HTTPError as error:
            delivery.status = error.code
        except (urllib.error.URLError, OSError):
            delivery.status = -1
        with self.lock:
            self.sent.append(delivery)

    def release_held(self, *, shuffle: bool = False, wait: bool = True) -> list[Delivery]:
        """Send every held callback (optionally out of order); returns them."""
        with self.lock:
            batch, self.held = list(self.held), []
        if shuffle:
            random.shuffle(batch)
        threads = [threading.Thread(target=self._post, args=(d, 0.0)) for d in batch]
        for thread in threads:
            thread.start()
        if wait:
            for thread in threads:
                thread.join()
        return batch

    # --- control API (for `make run`) -----------------------------------------------------
    CONFIGURABLE = ("callback_mode", "callback_delay", "callback_copies")

    def _config(self, request: Request, match) -> Response:
        data = request.json()
        if not isinstance(data, dict):
            return Response.json({"error": "send a JSON object"}, status=400)
        with self.lock:
            for key, value in data.items():
                if key in self.CONFIGURABLE:
                    setattr(self, key, value)
        return self._state(request, match)

    def _state(self, request: Request, match) -> Response:
        with self.lock:
            return Response.json(
                {key: getattr(self, key) for key in self.CONFIGURABLE}
                | {"calls": dict(self.calls), "held": len(self.held)}
            )

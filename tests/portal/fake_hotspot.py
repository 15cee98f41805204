"""The HTTP side of a MikroTik hotspot, for hand-off tests, in front of a simulated router.

MikroTik serves its hotspot pages itself: an unknown device gets login.html
(ours redirects to the landing page with the hand-off values), and the
landing page sends the device back to ``link-login-only`` (``/login``) with
``username`` and ``password`` — the CHAP response (hex MD5 of chap-id +
password + chap-challenge) or, for PAP, the password itself. This fake does
both on 127.0.0.1 (ephemeral port) and logs the device in on the simulator,
exactly when the router would.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


def _escape(data: bytes) -> str:
    return "".join(f"\\{byte:03o}" for byte in data)


class FakeHotspot:
    def __init__(self, sim, *, portal_url: str, identity: str, allow_pap: bool = True):
        self.sim = sim
        self.portal_url = portal_url
        self.identity = identity
        self.allow_pap = allow_pap
        self.challenges: dict[str, tuple[bytes, bytes, str, str]] = {}  # chap-id esc → device
        self.logins: list[dict] = []
        self.refusals: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def start_url(self, *, mac: str, ip: str, dst: str = "http://example.com/") -> str:
        """What the device's first web request leads to: login.html's redirect to the portal."""
        chap_id, challenge = secrets.token_bytes(1), secrets.token_bytes(16)
        self.challenges[_escape(chap_id)] = (chap_id, challenge, mac, ip)
        query = urlencode(
            {
                "mac": mac,
                "ip": ip,
                "link-login-only": f"{self.base_url}/login",
                "link-orig": dst,
                "chap-id": _escape(chap_id),
                "chap-challenge": _escape(challenge),
                "identity": self.identity,
                "error": "",
            }
        )
        return f"{self.portal_url}?{query}"

    def check(self, username: str, password: str) -> tuple[str, str] | None:
        """(mac, ip) of the device whose CHAP answer (or PAP password) matches, else None."""
        user = self.sim.hotspot_user(username)
        if user is None:
            return None
        secret = user.get("password", "").encode()
        for chap_id, challenge, mac, ip in self.challenges.values():
            expected = hashlib.md5(chap_id + secret + challenge).hexdigest()  # noqa: S324
            if password == expected:
                return mac, ip
        if self.allow_pap and password == user.get("password"):
            mac, ip = next(iter(self.challenges.values()))[2:]
            return mac, ip
        return None

    def _handler(self):
        hotspot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path != "/login":
                    self.send_response(404)
                    self.end_headers()
                    return
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                device = hotspot.check(query.get("username", ""), query.get("password", ""))
                if device is None:
                    hotspot.refusals.append(query.get("username", ""))
                    self._page(403, "invalid username or password")
                    return
                mac, ip = device
                try:
                    hotspot.sim.login(query["username"], ip=ip, mac=mac)
                except Exception as error:
                    hotspot.refusals.append(str(error))
                    self._page(403, str(error))
                    return
                hotspot.logins.append({"user": query["username"], "mac": mac, "ip": ip})
                self._page(200, f"You are logged in as {query['username']}")

            def _page(self, status, text):
                body = f"<!DOCTYPE html><title>hotspot</title><h1>{text}</h1>".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

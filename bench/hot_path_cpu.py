"""CPU per request of the two hottest write paths, measured in one process.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/hot_path_cpu.py [--quick]

The load benches (portal_load.py, billing_callbacks.py) report requests per
second, which on a small shared machine also move with whatever else the host
runs. This one calls the real WSGI application directly (production settings,
DEBUG off, PostgreSQL, Redis) from one thread and reports the CPU that thread
spent per request (``time.thread_time``): what a gunicorn thread spends above
the HTTP parsing, without the load generator, the database's own CPU or other
processes. A trivial request through the same application and a pure-Python
loop are printed with it, so runs on different machines can be compared.

- **redemption**: POST /p/<slug>/login/ for fresh codes against simulated
  routers (the simulator runs in a thread of this process, not counted),
  every fifth code sent a second time by another device (refused).
- **callback**: M-Pesa STK callbacks for pending payments (started through the
  fake Daraja), each sent twice in shuffled order; the after-payment task is
  queued on Redis (as with a Celery worker) and purged afterwards.
- **callback, delivery inline**: the same for fresh payments, with the
  after-payment task (delivery, receipt number, announcements) run eagerly in
  the request, as ``billing_callbacks.py --tasks inline`` does.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.update(
    DEBUG="false",
    LOG_LEVEL="WARNING",
    DB_CONN_MAX_AGE="600",
    ALLOWED_HOSTS="127.0.0.1",
    CELERY_TASK_ALWAYS_EAGER="false",
    EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    PORTAL_GUESSES_PER_IP="1000000000",
    PORTAL_GUESSES_PER_DEVICE="1000000000",
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettportal.settings")


def _environ(method, url, body=b"", content_type="", origin=""):
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": content_type,
    }
    if origin:
        environ["HTTP_ORIGIN"] = origin
    return environ


def _measure(app, requests, warm_up: int = 20):
    """(CPU ms per request of this thread, statuses) for ``requests`` (``_environ`` args)."""
    statuses: dict[str, int] = {}

    def call(request):
        reply = {}
        environ = _environ(*request)
        result = app(environ, lambda status, headers, exc_info=None: reply.update(s=status))
        b"".join(result)
        result.close()
        statuses[reply["s"][:3]] = statuses.get(reply["s"][:3], 0) + 1

    for request in requests[:warm_up]:
        call(request)
    started = time.thread_time()
    for request in requests[warm_up:]:
        call(request)
    count = len(requests) - warm_up
    return (time.thread_time() - started) / count * 1000, statuses


def _loop_seconds() -> float:
    started = time.perf_counter()
    total = 0
    for number in range(5_000_000):
        total += number
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    args = parser.parse_args()
    count = 200 if args.quick else 600

    import portal_load
    from billing_callbacks import _cleanup as callbacks_cleanup
    from billing_callbacks import _setup as callbacks_setup

    database, redis = portal_load._env_urls()
    portal_load._setup_django(database, redis)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    from billing.fakes.daraja import FakeDaraja
    from nettportal.celery import app as celery_app
    from routers.simulator import SimFleet

    app = get_wsgi_application()
    loop = _loop_seconds()
    trivial, _ = _measure(app, [("GET", "/healthz")] * (count // 2))

    with SimFleet() as fleet:
        sims = [
            fleet.add(username="bench", password=portal_load.SIM_PASSWORD, hotspot_users=0, seed=n)
            for n in range(24)
        ]
        organization, page, codes = portal_load._seed(sims, count)
        try:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                bodies = Path(tmp) / "bodies.txt"
                portal_load._bodies(bodies, codes, len(sims))
                lines = [line for line in bodies.read_text().splitlines() if line]
            url = f"/p/{page.slug}/login/"
            origin = "http://127.0.0.1:8000"
            form = "application/x-www-form-urlencoded"
            redeem, redeem_statuses = _measure(
                app, [("POST", url, line.encode(), form, origin) for line in lines]
            )
        finally:
            from routers.routeros import connection_pool

            connection_pool.clear()
            portal_load._cleanup(organization)

    def callbacks(inline: bool):
        daraja = FakeDaraja().start()
        daraja.callback_mode = "hold"
        settings.BILLING_MPESA_BASE_URL = daraja.url
        settings.BILLING_CALLBACK_BASE_URL = "http://127.0.0.1:8000"
        organization, _payments = callbacks_setup(count // 2, daraja)
        celery_app.conf.task_always_eager = inline
        try:
            work = [item for item in daraja.held for _ in range(2)]
            random.Random(1).shuffle(work)
            return _measure(
                app, [("POST", item.url, item.body, "application/json") for item in work]
            )
        finally:
            celery_app.conf.task_always_eager = False
            celery_app.control.purge()
            callbacks_cleanup(organization)
            daraja.stop()

    callback, callback_statuses = callbacks(inline=False)
    inline, inline_statuses = callbacks(inline=True)

    print(f"hot_path_cpu ({'quick' if args.quick else 'full'}), {database.split('@')[-1]}")
    print(f"  machine: 5M-step Python loop {loop:.2f} s; GET /healthz {trivial:.2f} ms CPU")
    print(
        f"  voucher redemption: {redeem:.2f} ms CPU per POST "
        f"({1000 / redeem:,.0f} per core-second; statuses {redeem_statuses})"
    )
    print(
        f"  M-Pesa callback: {callback:.2f} ms CPU per callback "
        f"({1000 / callback:,.0f} per core-second; statuses {callback_statuses})"
    )
    print(
        f"  M-Pesa callback, delivery inline: {inline:.2f} ms CPU per callback "
        f"({1000 / inline:,.0f} per core-second; statuses {inline_statuses})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Landing-page load: gunicorn (2 workers) on PostgreSQL + Redis, wrk from another process.

    python bench/portal_load.py            # 30 s per phase
    python bench/portal_load.py --quick    # 8 s per phase, fewer vouchers

Phase 1: GET /p/<slug>/ as MikroTik's hand-off sends it (every request signs a
fresh hand-off token). Target: >= 1,500 req/s with p99 <= 50 ms.

Phase 2: voucher redemptions (POST /p/<slug>/login/) against a simulated
router: every fifth code is sent twice, by two wrk threads at about the same time,
and each redemption creates the hotspot user and logs the device in through
the RouterOS API. Target: >= 200 redemptions/s and zero double redemptions
(no voucher redeemed twice: counted in the database and on the router).

Uses DATABASE_URL / REDIS_URL when they point at PostgreSQL / Redis, else
postgres://postgres@127.0.0.1:5432/np_portal and redis://127.0.0.1:6379/7.
Everything it creates (one organisation) is deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/np_portal"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
LANDING_TARGET_RPS, LANDING_TARGET_P99_MS = 1500, 50
REDEEM_TARGET_RPS = 200
SIM_PASSWORD = "bench-Router-1"  # noqa: S105 - the simulated router's login, local only

REDEEM_LUA = r"""
-- Each thread walks its share of the request bodies (one "h=...&code=..." per line).
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
counter, threads, statuses = 0, 1, {}  -- globals: done() reads statuses per thread
local all_threads = {}

function setup(thread)
  thread:set("id", #all_threads)
  table.insert(all_threads, thread)
end

function init(args)
  threads = tonumber(os.getenv("BENCH_THREADS"))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

request = function()
  local index = (counter * threads + id) % #bodies + 1
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[index])
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(all_threads) do
    local counts = thread:get("statuses") or {}
    for status, n in pairs(counts) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do io.write(string.format("STATUS %d %d\n", status, n)) end
end
"""


def _env_urls() -> tuple[str, str]:
    database = os.environ.get("DATABASE_URL", "")
    redis = os.environ.get("REDIS_URL", "")
    if not database.startswith("postgres"):
        database = DEFAULT_DATABASE_URL
    if not redis.startswith("redis"):
        redis = DEFAULT_REDIS_URL
    return database, redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup_django(database: str, redis: str):
    os.environ["DATABASE_URL"] = database
    os.environ["REDIS_URL"] = redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettportal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed(sims, voucher_count: int):
    """One organisation: a landing page used by the simulated routers, a package, vouchers."""
    from decimal import Decimal

    from accounts.models import Organization
    from accounts.tenancy import tenant
    from portal.models import LandingBlock, LandingPage, LandingPagePackage, LandingPageRouter
    from routers.models import Router
    from routers.services import hotspot_profile_upsert
    from vouchers.models import Package, Voucher

    label = uuid.uuid4().hex[:8]
    organization = Organization.objects.create(
        name="Bench Wi-Fi", slug=f"bench-{label}", email="bench@bench.test", phone="+233201234567"
    )
    with tenant(organization):
        routers = [
            Router.objects.create(
                organization=organization,
                name=router_name(index),
                host="127.0.0.1",
                api_port=sim.port,
                username="bench",
                password=SIM_PASSWORD,
            )
            for index, sim in enumerate(sims)
        ]
        page = LandingPage.objects.create(
            organization=organization,
            slug=f"bench-{label}",
            title="Bench Café Wi-Fi",
            welcome_text="Welcome! Type your voucher code or buy a package.",
            support_phone="+233201234567",
        )
        for position, (kind, text) in enumerate(
            [
                ("text", "Welcome to the bench café. Fast Wi-Fi all day."),
                ("voucher", ""),
                ("packages", ""),
                ("contact", ""),
            ]
        ):
            LandingBlock.objects.create(
                organization=organization, page=page, kind=kind, position=position, text=text
            )
        package = Package.objects.create(
            organization=organization,
            name="1 Day",
            profile_name=f"np-bench-{label}",
            price=Decimal("5.00"),
        )
        for router in routers:
            LandingPageRouter.objects.create(organization=organization, page=page, router=router)
            # Packages reach routers by the vouchers app's sync before anyone redeems.
            hotspot_profile_upsert(router=router, name=package.profile_name, shared_users=1)
        LandingPagePackage.objects.create(organization=organization, page=page, package=package)
        codes = [f"BN{n:08d}" for n in range(voucher_count)]
        Voucher.objects.bulk_create(
            [
                Voucher(organization=organization, package=package, code=code, lookup=code)
                for code in codes
            ],
            batch_size=2000,
        )
    return organization, page, codes


def router_name(index: int) -> str:
    return f"Bench router {index + 1:02d}"


def _bodies(path: Path, codes: list[str], routers: int) -> int:
    """One request per code, plus a second device racing for every fifth code.

    The racing copy sits next to the first, so two wrk threads send them at about
    the same time: exactly one may redeem it.
    """
    from urllib.parse import urlencode

    from portal.handoff import Handoff

    lines = []
    for n, code in enumerate(codes):
        for copy in range(2 if n % 5 == 0 else 1):
            device = n * 2 + copy
            handoff = Handoff(
                mac="02:"
                + ":".join(f"{(device >> shift) & 0xFF:02X}" for shift in (32, 24, 16, 8, 0)),
                ip=f"10.{(device >> 16) & 0xFF}.{(device >> 8) & 0xFF}.{device & 0xFF or 1}",
                link_login_only="http://10.5.50.1/login",
                identity=router_name(n % routers),
            )
            lines.append(urlencode({"h": handoff.to_token(), "code": code}))
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def _gunicorn(port: int, env: dict) -> subprocess.Popen:
    """2 workers, configured otherwise as in production (gunicorn.conf.py: threaded)."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "nettportal.wsgi:application",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--backlog",
        "2048",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 - our own server
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url}")


def _wrk(args: list[str], env=None) -> str:
    result = subprocess.run(
        ["wrk", *args], capture_output=True, text=True, env=env, check=False, timeout=600
    )
    if result.returncode:
        raise RuntimeError(f"wrk failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _parse(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    figures = {"rps": rps}
    for name, value, unit in re.findall(r"\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\b", output):
        factor = {"us": 0.001, "ms": 1, "s": 1000}[unit]
        figures[f"p{name}"] = float(value) * factor
    statuses = {int(s): int(n) for s, n in re.findall(r"STATUS (\d+) (\d+)", output)}
    figures["statuses"] = statuses
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non_2xx_3xx"] = int(errors.group(1)) if errors else 0
    return figures


def _check_redemptions(organization) -> dict:
    from django.db import connection

    from vouchers.models import Voucher, VoucherEvent

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT voucher_id FROM {VoucherEvent._meta.db_table} "  # noqa: S608
            "WHERE organization_id = %s AND kind = 'redeemed' GROUP BY voucher_id "
            "HAVING COUNT(*) > 1) doubles",
            [organization.pk],
        )
        doubles = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT COUNT(*) FROM {Voucher._meta.db_table} "  # noqa: S608
            "WHERE organization_id = %s AND status = 'active'",
            [organization.pk],
        )
        active = cursor.fetchone()[0]
    return {"double_redemptions": doubles, "redeemed": active}


def _cleanup(organization) -> None:
    from django.db import connection

    from accounts.tenancy import all_tenants
    from vouchers.models import Voucher, VoucherEvent

    with all_tenants(), connection.cursor() as cursor:
        for model in (VoucherEvent, Voucher):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE organization_id = %s",  # noqa: S608
                [organization.pk],
            )
        organization.delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 s per phase, fewer vouchers")
    parser.add_argument("--duration", type=int, default=None, help="seconds per phase")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (GET)")
    parser.add_argument("--routers", type=int, default=24, help="simulated routers")
    args = parser.parse_args()
    duration = args.duration or (8 if args.quick else 30)
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk); nothing measured.")
        return 0

    database, redis = _env_urls()
    _setup_django(database, redis)
    from routers.simulator import SimFleet

    voucher_count = 4_000 if args.quick else 12_000
    with SimFleet() as fleet, tempfile.TemporaryDirectory() as tmp:
        # A café chain: devices spread over the routers that use the page (the simulator's
        # work per command grows with the users one router holds).
        sims = [
            fleet.add(username="bench", password=SIM_PASSWORD, hotspot_users=0, seed=index)
            for index in range(args.routers)
        ]
        organization, page, codes = _seed(sims, voucher_count)
        bodies = Path(tmp) / "bodies.txt"
        request_count = _bodies(bodies, codes, args.routers)
        script = Path(tmp) / "redeem.lua"
        script.write_text(REDEEM_LUA)
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": redis,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "600",
            "PORTAL_GUESSES_PER_IP": "1000000000",
            "PORTAL_GUESSES_PER_DEVICE": "1000000000",
        }
        server = _gunicorn(port, env)
        base = f"http://127.0.0.1:{port}"
        landing = (
            f"{base}/p/{page.slug}/?mac=02%3AAA%3ABB%3ACC%3ADD%3AEE&ip=10.5.50.23"
            "&link-login-only=http%3A%2F%2F10.5.50.1%2Flogin&link-orig=http%3A%2F%2Fexample.com%2F"
            "&chap-id=%5C375&chap-challenge=%5C061%5C222%5C036%5C377&identity=Bench+router+01"
        )
        try:
            _wait_ready(landing)
            size = len(urllib.request.urlopen(landing, timeout=5).read())  # noqa: S310
            _wrk(["-t1", "-c8", "-d3s", landing])  # warm up both workers
            get = _parse(
                _wrk(["-t1", f"-c{args.connections}", f"-d{duration}s", "--latency", landing])
            )
            # For scale: the same server answering the page's trivial login.html view.
            bare = _parse(
                _wrk(
                    [
                        "-t2",
                        f"-c{args.connections}",
                        f"-d{max(3, duration // 3)}s",
                        "--latency",
                        f"{base}/p/{page.slug}/login.html",
                    ]
                )
            )
            _stop(server)
            server = _gunicorn(port, env)
            _wait_ready(landing)
            threads = 4
            wrk_env = {**os.environ, "BENCH_BODIES": str(bodies), "BENCH_THREADS": str(threads)}
            redeem_seconds = min(duration, int(request_count / 400) or 1)
            post = _parse(
                _wrk(
                    [
                        f"-t{threads}",
                        f"-c{threads * 4}",
                        f"-d{redeem_seconds}s",
                        "--latency",
                        "-s",
                        str(script),
                        f"{base}/p/{page.slug}/login/",
                    ],
                    env=wrk_env,
                )
            )
            _stop(server)  # graceful: requests still in flight finish before counting
            checks = _check_redemptions(organization)
            router_users = sum(len(sim.hotspot_users) for sim in sims)
        finally:
            _stop(server)
            _cleanup(organization)

    redemptions_per_second = checks["redeemed"] / redeem_seconds
    ok_get = get["rps"] >= LANDING_TARGET_RPS and get.get("p99", 1e9) <= LANDING_TARGET_P99_MS
    ok_post = (
        redemptions_per_second >= REDEEM_TARGET_RPS
        and checks["double_redemptions"] == 0
        and router_users == checks["redeemed"]
    )
    where = database.split("@")[-1]
    print(
        f"portal_load ({'quick' if args.quick else 'full'}), gunicorn 2 workers "
        f"(gunicorn.conf.py, GUNICORN_THREADS={os.environ.get('GUNICORN_THREADS', '8')}), {where}"
    )
    print(
        f"  landing GET: {get['rps']:,.0f} req/s, p50 {get.get('p50', 0):.1f} ms, "
        f"p99 {get.get('p99', 0):.1f} ms over {duration}s with {args.connections} connections; "
        f"page {size:,} bytes; non-2xx {get['non_2xx_3xx']} "
        f"[target >= {LANDING_TARGET_RPS} req/s, p99 <= {LANDING_TARGET_P99_MS} ms: "
        f"{'met' if ok_get else 'NOT met'}]"
    )
    print(
        f"  for scale, a trivial view through the same stack: {bare['rps']:,.0f} req/s, "
        f"p99 {bare.get('p99', 0):.1f} ms"
    )
    print(
        f"  voucher redemptions: {redemptions_per_second:,.0f} redeemed/s "
        f"({checks['redeemed']:,} vouchers in {redeem_seconds}s; {post['rps']:,.0f} POST/s, "
        f"p99 {post.get('p99', 0):.0f} ms; statuses {dict(sorted(post['statuses'].items()))}); "
        f"double redemptions {checks['double_redemptions']}; hotspot users on the routers "
        f"{router_users} [target >= {REDEEM_TARGET_RPS}/s, 0 doubles: "
        f"{'met' if ok_post else 'NOT met'}]"
    )
    load1, load5, _ = os.getloadavg()
    print(f"  load average {load1:.2f} / {load5:.2f} on {os.cpu_count()} CPUs (shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

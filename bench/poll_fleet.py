"""Benchmark: one full poll cycle of a simulated fleet through the real task code.

    .venv/bin/python bench/poll_fleet.py            # 1,000 routers (takes ~2 minutes)
    .venv/bin/python bench/poll_fleet.py --quick    # 100 routers
    BENCH_QUICK=1 make bench

What runs, all real: ``manage.py routeros_sim`` (one process) serves N routers,
each answering every command after --latency seconds and holding --sessions
active hotspot sessions; a Celery worker (--workers processes, prefork) on
Redis (REDIS_URL) — or the filesystem broker without it — runs
``poll_routers_task`` (the scheduled fan-out) and the chunk tasks it enqueues,
storing everything in a fresh database on the DATABASE_URL server (created and
dropped by this script; SQLite under var/ when DATABASE_URL is not set).

Printed: wall time and routers/second for a first cycle (interfaces created)
and a steady-state cycle, the worker's memory (each process's peak RSS, and
the peak of the total PSS of all its processes, which counts the pages the
prefork children share with their parent once), a sequential one-at-a-time
baseline over a sample (extrapolated), and a cycle with --black-hole of the
routers accepting connections and never answering, against the connect timeout.
The simulator serves the black holes from the start (the same process all
run long, so no router looks rebooted); the last cycle points the last
routers at them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIM_USER, SIM_PASSWORD = "nettportal", "bench-Router-Pass-1"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser.add_argument("--quick", action="store_true", default=quick, help="100 routers")
    parser.add_argument("--routers", type=int, default=None)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per reply")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--black-hole", type=float, default=0.10, help="fraction, 0 to skip")
    parser.add_argument("--connect-timeout", type=float, default=5.0)
    parser.add_argument("--sample", type=int, default=20, help="routers in the sequential loop")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    if args.routers is None:
        args.routers = 100 if args.quick else 1000
    return args


# ------------------------------------------------------------------ database
def bench_database_url(base: str | None, tmp: Path) -> str:
    if not base or base.startswith("sqlite"):
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    parsed = urlparse(base)
    name = parsed.path.lstrip("/") + "_bench_poll"
    return urlunparse(parsed._replace(path="/" + name))


def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


# ----------------------------------------------------------------- processes
def start_simulator(env, count, args, black_holes, ports_file: Path) -> subprocess.Popen:
    ports_file.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "routeros_sim",
            "--count",
            str(count),
            "--port",
            "0",
            "--username",
            SIM_USER,
            "--password",
            SIM_PASSWORD,
            "--users",
            str(args.sessions),
            "--active",
            str(args.sessions),
            "--ppp-secrets",
            "0",
            "--ppp-active",
            "0",
            "--no-churn",
            "--latency",
            str(args.latency),
            "--black-hole",
            str(black_holes),
            "--seed",
            "1",
            "--ports-file",
            str(ports_file),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not ports_file.exists() or not ports_file.read_text():
        if process.poll() is not None:
            raise SystemExit(f"simulator exited: {process.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            raise SystemExit("simulator did not start within 300 s")
        time.sleep(0.2)
    return process


def start_worker(env, workers: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nettportal",
            "worker",
            "--concurrency",
            str(workers),
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--prefetch-multiplier",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def process_tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                for child in handle.read().split():
                    found += process_tree(int(child))
    except OSError:
        pass
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of every process in the tree (children included)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        except OSError:
            pass
    return total / ticks


def peak_rss_mb(pid: int) -> dict[int, float]:
    """VmHWM (peak resident memory) of every process in the tree, in MB."""
    peaks = {}
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        peaks[member] = int(line.split()[1]) / 1024
        except OSError:
            pass
    return peaks


def pss_mb(pid: int) -> dict[int, float]:
    """Proportional set size of every process in the tree, in MB: pages shared
    by the prefork children and their parent are counted once, split between
    them, so the sum is what the worker really takes."""
    sizes = {}
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        sizes[member] = int(line.split()[1]) / 1024
        except OSError:
            pass
    return sizes


class Memory:
    """The worker's total PSS, sampled while cycles run (the kernel keeps no
    peak of it), next to each process's peak RSS (VmHWM)."""

    def __init__(self, worker_pid: int):
        self.worker_pid = worker_pid
        self.peak_total_pss = 0.0

    def sample(self) -> None:
        self.peak_total_pss = max(self.peak_total_pss, sum(pss_mb(self.worker_pid).values()))

    def lines(self) -> list[str]:
        peaks = peak_rss_mb(self.worker_pid)
        parent = peaks.pop(self.worker_pid, 0.0)
        children = ", ".join(f"{size:.0f}" for size in sorted(peaks.values(), reverse=True))
        return [
            f"worker peak RSS (VmHWM): pool processes {children} MB, parent {parent:.0f} MB; "
            f"sum {parent + sum(peaks.values()):.0f} MB (shared pages counted in every process)",
            f"worker peak total PSS (all {len(peaks) + 1} processes, shared pages counted once, "
            f"sampled every 0.2 s): {self.peak_total_pss:.0f} MB",
        ]


# ------------------------------------------------------------------- cycles
def run_cycle(router_ids: list[int], *, timeout: float, memory: Memory | None = None) -> float:
    from django.utils import timezone

    from accounts.tenancy import all_tenants
    from routers.models import Router
    from routers.tasks import poll_routers_task

    started_at = timezone.now()
    started = time.monotonic()
    poll_routers_task.delay()
    with all_tenants():
        pending = Router.objects.filter(pk__in=router_ids)
        while (
            pending.filter(last_polled_at__lt=started_at).exists()
            or pending.filter(last_polled_at__isnull=True).exists()
        ):
            if time.monotonic() - started > timeout:
                raise SystemExit(
                    f"cycle did not finish within {timeout:.0f} s (see the worker log)"
                )
            if memory is not None:
                memory.sample()
            time.sleep(0.2 if memory is not None else 0.05)
    return time.monotonic() - started


def reset_routers() -> None:
    from accounts.tenancy import all_tenants
    from routers.models import Router

    with all_tenants():
        Router.objects.update(
            next_poll_at=None, consecutive_failures=0, poll_lease_until=None, poll_lease_token=""
        )


def point_routers_at(listing, router_ids) -> None:
    from accounts.tenancy import all_tenants
    from routers.models import Router

    with all_tenants():
        routers = list(Router.objects.filter(pk__in=router_ids).order_by("pk"))
        # Two steps: old and new ephemeral ports may overlap, and the address is unique.
        for number, router in enumerate(routers, 1):
            router.api_port = number
        Router.objects.bulk_update(routers, ["api_port"], batch_size=500)
        for router, item in zip(routers, listing, strict=True):
            router.api_port = item["port"]
        Router.objects.bulk_update(routers, ["api_port"], batch_size=500)


def stored_counts(router_ids) -> dict:
    from django.db.models import Count

    from accounts.tenancy import all_tenants
    from routers.models import ActiveSession, Router, RouterStatusSample

    with all_tenants():
        failures = (
            Router.objects.filter(pk__in=router_ids)
            .exclude(status="online")
            .values_list("last_error_kind")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {
            "failures": dict(failures),
            "online": Router.objects.filter(pk__in=router_ids, status="online").count(),
            "offline": Router.objects.filter(pk__in=router_ids).exclude(status="online").count(),
            "sessions": ActiveSession.objects.count(),
            "samples": RouterStatusSample.objects.count(),
        }


class Cpu:
    """CPU seconds spent by the workers and the simulator during a cycle, so the
    figures can be read even on a machine shared with other work."""

    def __init__(self, worker_pid: int, simulator_pid: int):
        self.worker_pid, self.simulator_pid = worker_pid, simulator_pid
        self.worker, self.simulator = cpu_seconds(worker_pid), cpu_seconds(simulator_pid)
        self.load = os.getloadavg()[0]

    def line(self) -> str:
        worker = cpu_seconds(self.worker_pid) - self.worker
        simulator = cpu_seconds(self.simulator_pid) - self.simulator
        return (
            f"[CPU s: workers {worker:.1f}, simulator {simulator:.1f}; "
            f"load avg {self.load:.1f} on {os.cpu_count()} cores]"
        )


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="np-bench-poll-"))
    base_url = os.environ.get("DATABASE_URL")
    db_url = bench_database_url(base_url, tmp)
    is_postgres = db_url.startswith("postgres")
    if is_postgres:
        recreate_postgres(db_url)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "NETTPORTAL_VAR_DIR": str(tmp),  # a private filesystem broker when there is no Redis
        "DJANGO_SETTINGS_MODULE": "nettportal.settings",
        "ROUTER_CONNECT_TIMEOUT": str(args.connect_timeout),
        "ROUTER_POLL_CHUNK_SIZE": str(-(-args.routers // args.workers)),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Organization
    from accounts.tenancy import tenant
    from nettportal.celery import app
    from routers.models import Router
    from routers.polling import poll_routers

    call_command("migrate", verbosity=0)
    if not os.environ.get("REDIS_URL"):
        for name in ("queue", "processed"):
            (tmp / "celery" / name).mkdir(parents=True, exist_ok=True)
    app.control.purge()
    organizations = [
        Organization.objects.create(
            name=f"Bench ISP {n}",
            slug=f"bench-isp-{n}",
            email=f"bench{n}@example.test",
            phone="+233201234567",
        )
        for n in range(4)
    ]
    router_ids = []
    per_org = -(-args.routers // len(organizations))
    for index, organization in enumerate(organizations):
        with tenant(organization):
            rows = [
                Router(
                    organization=organization,
                    name=f"Router {index}-{n}",
                    host="127.0.0.1",
                    api_port=1 + index * per_org + n,
                    username=SIM_USER,
                    password=SIM_PASSWORD,
                )
                for n in range(min(per_org, args.routers - index * per_org))
            ]
            router_ids += [router.pk for router in Router.objects.bulk_create(rows)]
    router_ids.sort()

    print(
        f"poll_fleet: {args.routers} routers × {args.sessions} sessions, {args.latency * 1000:.0f}"
        f" ms per reply, {args.workers} worker process(es), "
        f"{'PostgreSQL' if is_postgres else 'SQLite (set DATABASE_URL for PostgreSQL)'}, "
        f"broker {'Redis' if os.environ.get('REDIS_URL') else 'filesystem'}"
    )
    simulator = worker = None
    try:
        started = time.monotonic()
        # One simulator for the whole run: the routers plus, at the end of the
        # list, the black holes the last cycle points some routers at (a restart
        # would look like a reboot of every router and add its own work).
        black_holes = round(args.routers * args.black_hole)
        simulator = start_simulator(
            env, args.routers + black_holes, args, black_holes, tmp / "ports.json"
        )
        listing = json.loads((tmp / "ports.json").read_text())
        healthy, holes = listing[: args.routers], listing[args.routers :]
        point_routers_at(healthy, router_ids)
        print(f"  simulator up in {time.monotonic() - started:.1f} s")

        worker = start_worker(env, args.workers, tmp / "worker.log")
        time.sleep(3)
        timeout = max(120, args.routers * 0.5)
        memory = Memory(worker.pid)
        cpu = Cpu(worker.pid, simulator.pid)
        first = run_cycle(router_ids, timeout=timeout, memory=memory)
        counts = stored_counts(router_ids)
        print(
            f"  first cycle (interfaces created): {first:6.2f} s  "
            f"{args.routers / first:7.1f} routers/s  ({counts['online']} online)  {cpu.line()}"
        )
        reset_routers()
        cpu = Cpu(worker.pid, simulator.pid)
        steady = run_cycle(router_ids, timeout=timeout, memory=memory)
        counts = stored_counts(router_ids)
        print(
            f"  steady cycle:                     {steady:6.2f} s  "
            f"{args.routers / steady:7.1f} routers/s  ({counts['online']} online, "
            f"{counts['sessions']} sessions stored)  {cpu.line()}"
        )
        for line in memory.lines():
            print(f"  {line}")
        if counts["online"] != args.routers:
            print(f"  !! not every router was polled successfully: {counts['failures']}")

        sample = router_ids[: args.sample]
        started = time.monotonic()
        for router_id in sample:
            poll_routers([router_id], force=True)
        per_router = (time.monotonic() - started) / len(sample)
        print(
            f"  sequential baseline: {per_router:.3f} s per router → "
            f"{per_router * args.routers:.0f} s for {args.routers} (extrapolated from "
            f"{len(sample)}); the cycle is {per_router * args.routers / steady:.0f}× faster"
        )

        if black_holes:
            # The last routers (the last to be asked in their chunks) stop answering.
            point_routers_at(healthy[: args.routers - black_holes] + holes, router_ids)
            reset_routers()
            cpu = Cpu(worker.pid, simulator.pid)
            holed = run_cycle(router_ids, timeout=timeout + args.connect_timeout * 4, memory=memory)
            counts = stored_counts(router_ids)
            print(
                f"  with {black_holes} black-holed routers: {holed:6.2f} s "
                f"(+{holed - steady:.2f} s vs steady; connect timeout "
                f"{args.connect_timeout:g} s) — {counts['offline']} marked offline "
                f"{counts['failures']}  {cpu.line()}"
            )
        print("  over the whole run:")
        for line in memory.lines():
            print(f"    {line}")
    finally:
        for process in (worker, simulator):
            if process is not None:
                stop(process)
        from django.db import connections

        connections.close_all()
        if is_postgres and not args.keep:
            recreate_postgres(db_url, drop_only=True)


if __name__ == "__main__":
    main()

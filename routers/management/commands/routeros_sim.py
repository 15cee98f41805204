"""Serve a fleet of simulated MikroTik routers speaking the RouterOS API.

    python manage.py routeros_sim --count 3 --port 18728 --password demo-router
    python manage.py routeros_sim --count 1000 --port 0 --latency 0.05 --active 100 \\
        --ports-file var/sim-ports.json

``--port 0`` picks ephemeral ports (and ``--ports-file`` tells you which).
Runs until Ctrl-C / SIGTERM.
"""

import argparse
import json
import os
import resource
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from routers.simulator import SimFleet


class Command(BaseCommand):
    help = "Run simulated RouterOS routers (API and optionally API-SSL) on local ports."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=3, help="how many routers")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port",
            type=int,
            default=18728,
            help="first API port; routers use consecutive ports (0: ephemeral)",
        )
        parser.add_argument(
            "--tls-port",
            type=int,
            default=None,
            help="first API-SSL port (0: ephemeral); omit for no API-SSL",
        )
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="")
        parser.add_argument("--identity", default="Sim", help="identity prefix (Sim-001, …)")
        parser.add_argument(
            "--ros-version",
            dest="ros_version",
            default="7.14.3",
            help="RouterOS version to imitate (dates, !empty, traps)",
        )
        parser.add_argument("--users", type=int, default=40, help="hotspot users per router")
        parser.add_argument(
            "--active", type=int, default=8, help="active hotspot sessions per router"
        )
        parser.add_argument("--ppp-secrets", type=int, default=6)
        parser.add_argument("--ppp-active", type=int, default=2)
        parser.add_argument(
            "--churn",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="users log in and out over time",
        )
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--latency", type=float, default=0.0, help="seconds before every reply")
        parser.add_argument(
            "--failure-rate",
            type=float,
            default=0.0,
            help="chance a command is answered with a !trap",
        )
        parser.add_argument(
            "--drop-rate",
            type=float,
            default=0.0,
            help="chance the connection drops in the middle of a reply",
        )
        parser.add_argument(
            "--garbage-rate", type=float, default=0.0, help="chance a reply is garbage bytes"
        )
        parser.add_argument(
            "--black-hole",
            type=int,
            default=0,
            help="the last N routers accept connections and never answer",
        )
        parser.add_argument(
            "--wrong-password",
            type=int,
            default=0,
            help="the last N routers (before black holes) refuse every login",
        )
        parser.add_argument(
            "--ports-file", default="", help="write the routers' identities and ports here as JSON"
        )

    def handle(self, *args, **options):
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1")
        _raise_file_limit()
        fleet = SimFleet(host=options["host"]).start()
        listing = []
        try:
            routers = fleet.add_many(
                count,
                base_port=options["port"],
                tls_base_port=options["tls_port"],
                identity=options["identity"],
                seed=options["seed"],
                version=options["ros_version"],
                username=options["username"],
                password=options["password"],
                hotspot_users=max(options["users"], options["active"]),
                active_sessions=options["active"],
                ppp_secrets=max(options["ppp_secrets"], options["ppp_active"]),
                ppp_sessions=options["ppp_active"],
                churn=options["churn"],
                latency=options["latency"],
                failure_rate=options["failure_rate"],
                drop_rate=options["drop_rate"],
                garbage_rate=options["garbage_rate"],
            )
        except OSError as error:
            fleet.stop()
            raise CommandError(f"cannot listen: {error}") from error
        black_holes = options["black_hole"]
        wrong = options["wrong_password"]
        for index, router in enumerate(routers):
            from_end = count - index
            if from_end <= black_holes:
                router.black_hole = True
            elif from_end <= black_holes + wrong:
                router.reject_logins = True
            listing.append(
                {
                    "identity": router.identity,
                    "port": router.port,
                    "tls_port": router.tls_port,
                    "black_hole": router.black_hole,
                    "reject_logins": router.reject_logins,
                }
            )
        if options["ports_file"]:
            # Written whole, then renamed: a reader never sees half a listing.
            partial = f"{options['ports_file']}.partial"
            with open(partial, "w") as handle:
                json.dump(listing, handle)
            os.replace(partial, options["ports_file"])
        if count <= 20:
            for item in listing:
                tls = f", API-SSL {item['tls_port']}" if item["tls_port"] else ""
                self.stdout.write(f"{item['identity']}: API {options['host']}:{item['port']}{tls}")
        self.stdout.write(
            self.style.SUCCESS(f"{count} simulated router(s) listening; Ctrl-C stops.")
        )
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            fleet.stop()


def _raise_file_limit():
    """A thousand routers need a thousand listening sockets plus connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

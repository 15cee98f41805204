"""Run the whole development stack in one terminal: the web server, a Celery
worker with the beat scheduler, and whatever each app adds (the simulated
router fleet, the fake payment processors) through ``<app>/devstack.py``
defining ``processes(port) -> list[tuple[name, argv]]``.

Ctrl-C stops everything; if one process dies, the others are stopped too.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from nettportal.appmodules import app_modules
from nettportal.dashboard import DOMAIN_APPS


def app_processes(port: int) -> list[tuple[str, list[str]]]:
    return [
        process
        for module in app_modules(DOMAIN_APPS, "devstack")
        for process in module.processes(port)
    ]


class Command(BaseCommand):
    help = "Run web server, Celery worker + beat and the simulators together."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args, **options):
        python = sys.executable
        port, host = options["port"], options["host"]
        processes = [
            ("web", [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"]),
            (
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "nettportal",
                    "worker",
                    "-B",
                    "-l",
                    "info",
                    "--concurrency",
                    "2",
                ],
            ),
            *app_processes(port),
        ]
        children = []
        for name, argv in processes:
            self.stdout.write(f"starting {name}: {' '.join(argv[1:])}")
            children.append((name, subprocess.Popen(argv)))  # noqa: S603

        def stop(*_args):
            for _name, child in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 10
            for _name, child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()

        signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
        time.sleep(2)
        url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/"  # noqa: S104
        self.stdout.write(self.style.SUCCESS(f"\nNettPortal is running at {url}\n"))
        from nettportal.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}\nCtrl-C stops.\n")
        try:
            while True:
                for name, child in children:
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping")
                        stop()
                        sys.exit(1)
                time.sleep(1)
        except KeyboardInterrupt:
            stop()

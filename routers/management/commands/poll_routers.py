"""Poll routers from the command line, without Celery.

    python manage.py poll_routers --once            # every enabled router, now
    python manage.py poll_routers --once --router 7
    python manage.py poll_routers                   # keep polling every ROUTER_POLL_INTERVAL

Prints one line per router. Routers being polled elsewhere right now are skipped.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.tenancy import all_tenants
from routers.models import Router
from routers.polling import chunked, due_router_ids, poll_routers


class Command(BaseCommand):
    help = "Poll routers now and print a one-line summary per router."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument(
            "--router",
            type=int,
            action="append",
            dest="routers",
            help="only this router id (repeatable)",
        )

    def handle(self, *args, **options):
        while True:
            self._round(options["routers"], force=options["once"])
            if options["once"]:
                return
            time.sleep(settings.ROUTER_POLL_INTERVAL)

    def _round(self, only, *, force):
        with all_tenants():  # a platform-wide maintenance command
            if only:
                ids = list(Router.objects.filter(pk__in=only).values_list("pk", flat=True))
                missing = sorted(set(only) - set(ids))
                if missing:
                    raise CommandError(f"no router with id {', '.join(map(str, missing))}")
            elif force:
                ids = list(
                    Router.objects.filter(is_enabled=True)
                    .order_by("id")
                    .values_list("pk", flat=True)
                )
            else:
                ids = due_router_ids()
        if not ids:
            self.stdout.write("No routers to poll.")
            return
        ok = failed = 0
        for chunk in chunked(ids, settings.ROUTER_POLL_CHUNK_SIZE):
            for outcome in poll_routers(chunk, force=force or bool(only)):
                self.stdout.write(outcome.summary_line())
                ok += outcome.ok
                failed += not outcome.ok
        skipped = len(ids) - ok - failed
        self.stdout.write(
            f"{ok} ok, {failed} failed" + (f", {skipped} skipped (busy)" if skipped else "")
        )

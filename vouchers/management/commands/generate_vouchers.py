"""Generate a voucher batch from the command line (for operators' scripts).

    python manage.py generate_vouchers --org demo-wifi --package 3 --count 500 --prefix NET

Prints the new batch id on the last line of standard output, and nothing else
there, so scripts can capture it: ``BATCH=$(python manage.py generate_vouchers …)``.
Generation runs in this process (``--background`` leaves it to the workers).
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from accounts.tenancy import tenant
from nettportal.errors import ApplicationError
from vouchers.models import Package
from vouchers.services import voucher_batch_create, voucher_batch_generate


class Command(BaseCommand):
    help = "Generate a batch of vouchers for one package and print the batch id."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--package", required=True, type=int, help="package id")
        parser.add_argument("--count", required=True, type=int, help="1 to 100,000")
        parser.add_argument("--prefix", default="")
        parser.add_argument("--length", type=int, default=8, help="random characters")
        parser.add_argument("--group", type=int, default=4, help="group size (0: none)")
        parser.add_argument("--alphabet", choices=["mixed", "digits"], default="mixed")
        parser.add_argument("--pin", type=int, default=0, help="PIN digits (0: no PIN)")
        parser.add_argument("--expires", help="unsold vouchers expire after this day (YYYY-MM-DD)")
        parser.add_argument("--note", default="")
        parser.add_argument(
            "--background", action="store_true", help="enqueue generation instead of waiting"
        )

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation with the slug {options['org']!r}.")
        expires_at = None
        if options["expires"]:
            try:
                day = datetime.strptime(options["expires"], "%Y-%m-%d").date()  # noqa: DTZ007
            except ValueError:
                raise CommandError("--expires must be a date like 2026-12-31.") from None
            zone = ZoneInfo(organization.time_zone or "UTC")
            expires_at = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        with tenant(organization):
            package = Package.objects.filter(pk=options["package"]).first()
            if package is None:
                raise CommandError(f"No package {options['package']} in {organization.slug}.")
            try:
                batch = voucher_batch_create(
                    organization=organization,
                    actor=None,
                    package=package,
                    quantity=options["count"],
                    code_length=options["length"],
                    prefix=options["prefix"],
                    group_size=options["group"],
                    alphabet=options["alphabet"],
                    pin_length=options["pin"],
                    expires_at=expires_at,
                    note=options["note"],
                    enqueue=options["background"],
                )
                if not options["background"]:
                    batch = voucher_batch_generate(batch_id=batch.pk)
            except ApplicationError as error:
                raise CommandError(error.message) from None
        self.stderr.write(
            f"Batch {batch.pk}: {batch.generated_count or batch.quantity} vouchers "
            f"for {package.name} ({'queued' if options['background'] else 'ready'})."
        )
        self.stdout.write(str(batch.pk))

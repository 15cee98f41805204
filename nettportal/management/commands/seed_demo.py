"""Create (or refresh) the demo organisation and its owner login.

Idempotent: running it again leaves one demo organisation. Each domain app may
add demo data with a ``demo.py`` module defining ``seed(organization, stdout)``.
"""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Organization, User
from accounts.services import organization_create
from accounts.tenancy import tenant
from nettportal.appmodules import app_modules
from nettportal.dashboard import DOMAIN_APPS
from privacy.services import policies_accept_current

DEMO_EMAIL = "owner@demo.nettportal.test"
DEMO_PASSWORD = "demo-Password-2026"  # noqa: S105 - printed on purpose for the demo
DEMO_SLUG = "demo-wifi"


class Command(BaseCommand):
    help = "Create the demo organisation with an owner login and demo data."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    @transaction.atomic
    def handle(self, *args, **options):
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(
                email=DEMO_EMAIL, password=DEMO_PASSWORD, full_name="Demo Owner"
            )
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
        )
        policies_accept_current(user=user, ip_address=None)
        organization = Organization.objects.filter(slug=DEMO_SLUG).first()
        if organization is None:
            organization = organization_create(
                owner=user,
                name="Demo Wi-Fi",
                email=DEMO_EMAIL,
                phone="+233201234567",
                country="GH",
                time_zone="Africa/Accra",
                city="Accra",
            )
            organization.slug = DEMO_SLUG
            organization.save(update_fields=["slug"])
        with tenant(organization):
            for module in app_modules(DOMAIN_APPS, "demo"):
                module.seed(organization, self.stdout)
        if not options["quiet"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo organisation '{organization.name}' ready.\n"
                    f"  Log in as: {DEMO_EMAIL}\n  Password:  {DEMO_PASSWORD}"
                )
            )

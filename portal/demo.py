"""The demo organisation's landing page at /p/<org slug>/, using its routers and packages. Idempotent."""

from portal.models import LandingBlock, LandingPage, LandingPagePackage, LandingPageRouter

WELCOME = "Welcome to Demo Wi-Fi! Type the code from your voucher, or buy a package below."


def seed(organization, stdout) -> None:
    from routers.models import Router
    from vouchers.models import Package

    page, created = LandingPage.objects.get_or_create(
        slug=organization.slug,
        defaults={
            "organization": organization,
            "title": organization.name,
            "welcome_text": WELCOME,
            "support_phone": organization.phone,
            "counter_instructions": "Pay at the front desk and ask for a voucher card.",
        },
    )
    if page.organization_id != organization.pk:
        return  # the address belongs to someone else (never in a demo database)
    if created:
        for position, (kind, text) in enumerate(
            [
                (LandingBlock.Kind.TEXT, WELCOME),
                (LandingBlock.Kind.VOUCHER, ""),
                (LandingBlock.Kind.PACKAGES, ""),
                (LandingBlock.Kind.CONTACT, "Open every day from 7 am to 10 pm."),
            ]
        ):
            LandingBlock.objects.create(
                organization=organization, page=page, kind=kind, position=position, text=text
            )
    linked = set(LandingPageRouter.objects.values_list("router_id", flat=True))
    for router in Router.objects.exclude(pk__in=linked):
        LandingPageRouter.objects.create(organization=organization, page=page, router=router)
    selling = set(page.package_links.values_list("package_id", flat=True))
    for package in Package.objects.filter(is_active=True).exclude(pk__in=selling):
        LandingPagePackage.objects.create(organization=organization, page=page, package=package)
    stdout.write(
        f"  portal: landing page at /p/{page.slug}/ (router login.html and commands in the dashboard)"
    )

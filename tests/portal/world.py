from decimal import Decimal

from portal.models import (
    LandingAsset,
    LandingBlock,
    LandingPage,
    LandingPagePackage,
    LandingPageRouter,
    PortalPurchase,
)
from routers.models import Router
from vouchers.models import Package


def build(world):
    slug = world.marker.lower()
    page = LandingPage.objects.create(
        organization=world.organization,
        slug=f"page-{slug}",
        title=f"Wi-Fi {world.marker}",
        welcome_text=f"Welcome {world.marker}",
    )
    asset = LandingAsset.objects.create(
        organization=world.organization,
        page=page,
        content=b"\x89PNG fake",
        content_type="image/png",
        digest=f"{slug}".ljust(64, "0")[:64],
        width=10,
        height=10,
    )
    block = LandingBlock.objects.create(
        organization=world.organization,
        page=page,
        kind=LandingBlock.Kind.IMAGE,
        text=f"Block {world.marker}",
        image=asset,
        image_alt=f"Alt {world.marker}",
    )
    router = Router.objects.create(
        organization=world.organization,
        name=f"Portal router {world.marker}",
        host=f"portal-{slug}.example.test",
        username="api",
        password=f"pw-{slug}",
        identity=f"Hotspot {world.marker}",
    )
    link = LandingPageRouter.objects.create(
        organization=world.organization, page=page, router=router
    )
    package = Package.objects.create(
        organization=world.organization,
        name=f"Portal package {world.marker}",
        profile_name=f"np-portal-{slug}",
        price=Decimal("5.00"),
    )
    package_link = LandingPagePackage.objects.create(
        organization=world.organization, page=page, package=package
    )
    purchase = PortalPurchase.objects.create(
        organization=world.organization,
        page=page,
        package=package,
        package_name=f"Pkg {world.marker}",
        router=router,
        method=PortalPurchase.Method.MPESA,
        phone="+233201112233",
        email=f"buyer-{slug}@example.test",
        device_mac="02:00:00:00:00:01",
        device_ip="10.5.50.9",
    )
    world.add(page, block, asset, router, link, package, package_link, purchase)
    world.post_data.update(
        {
            "slug": f"hijack-{page.pk}",
            "kind": LandingBlock.Kind.HEADING,
            "text": "Hijacked heading",
            "direction": "up",
            "color_primary": "#000000",
            "color_background": "#ffffff",
            "color_text": "#111111",
            "language": "fr",
            "login_method": "auto",
            "routers": [router.pk],
            "packages": [package.pk],
        }
    )

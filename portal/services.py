"""Writes for the landing-page builder (pages, blocks, images).

Every change bumps the page's ``version`` and, after commit, invalidates the
cached public configuration so the next visitor sees it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from nettportal.errors import ValidationFailed
from portal import selectors
from portal.images import BLOCK_IMAGE_BOX, LOGO_BOX, reencode_image
from portal.models import (
    PAGE_LANGUAGES,
    LandingAsset,
    LandingBlock,
    LandingPage,
    LandingPagePackage,
    LandingPageRouter,
)
from portal.pagecache import page_config_invalidate

RESERVED_SLUGS = frozenset({"admin", "api", "static", "media", "www", "p", "login", "new"})
DEFAULT_BLOCKS = (
    (LandingBlock.Kind.TEXT, "welcome"),
    (LandingBlock.Kind.VOUCHER, ""),
    (LandingBlock.Kind.PACKAGES, ""),
    (LandingBlock.Kind.CONTACT, ""),
)
EDITABLE_FIELDS = frozenset(
    {
        "slug",
        "title",
        "language",
        "welcome_text",
        "color_primary",
        "color_background",
        "color_text",
        "support_phone",
        "support_whatsapp",
        "terms_url",
        "privacy_url",
        "counter_instructions",
        "offer_mpesa",
        "offer_paystack",
        "login_method",
        "hotspot_dns_name",
        "is_published",
    }
)


def _invalidate_after_commit(*slugs: str) -> None:
    for slug in {s for s in slugs if s}:
        transaction.on_commit(lambda slug=slug: page_config_invalidate(slug))


def _bump(page: LandingPage) -> None:
    LandingPage.objects.filter(pk=page.pk).update(version=F("version") + 1)
    page.refresh_from_db(fields=["version", "updated_at"])
    _invalidate_after_commit(page.slug)


def _check_slug(slug: str, *, exclude_id=None) -> str:
    slug = (slug or "").strip().lower()
    try:
        validate_slug(slug)
    except DjangoValidationError:
        raise ValidationFailed(
            _("Use lowercase letters, digits and dashes for the address."), field="slug"
        ) from None
    if len(slug) < 3 or len(slug) > 60:
        raise ValidationFailed(_("The address needs 3 to 60 characters."), field="slug")
    if slug in RESERVED_SLUGS:
        raise ValidationFailed(_("This address is reserved; choose another."), field="slug")
    if selectors.slug_taken(slug, exclude_id=exclude_id):
        raise ValidationFailed(_("This address is already taken; choose another."), field="slug")
    return slug


def _check_fields(fields: dict) -> dict:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "language" in fields and fields["language"] not in dict(PAGE_LANGUAGES):
        raise ValidationFailed(_("Choose English or French."), field="language")
    return fields


def _store_image(page: LandingPage, upload, *, box, field: str) -> LandingAsset:
    encoded = reencode_image(upload, box=box, field=field)
    return LandingAsset.objects.create(
        organization_id=page.organization_id,
        page=page,
        content=encoded.content,
        content_type=encoded.content_type,
        digest=encoded.digest,
        width=encoded.width,
        height=encoded.height,
    )


@transaction.atomic
def landing_page_create(
    *, organization, actor, logo=None, routers=None, packages=None, **fields
) -> LandingPage:
    """A new page with a sensible set of blocks (welcome text, voucher box, packages, contact)."""
    _check_fields(fields)
    fields["slug"] = _check_slug(fields.get("slug", ""))
    page = LandingPage(organization=organization, **fields)
    page.full_clean(exclude=["slug"])
    page.save()
    for position, (kind, text) in enumerate(DEFAULT_BLOCKS):
        LandingBlock.objects.create(
            organization=organization,
            page=page,
            kind=kind,
            position=position,
            text=page.welcome_text if text == "welcome" else text,
        )
    if logo is not None:
        page.logo = _store_image(page, logo, box=LOGO_BOX, field="logo")
        page.save(update_fields=["logo"])
    if routers:
        landing_page_set_routers(page=page, actor=actor, routers=routers)
    if packages:
        landing_page_set_packages(page=page, actor=actor, packages=packages)
    _invalidate_after_commit(page.slug)
    return page


@transaction.atomic
def landing_page_update(
    *,
    page: LandingPage,
    actor,
    logo=None,
    remove_logo: bool = False,
    routers=None,
    packages=None,
    **changes,
) -> LandingPage:
    _check_fields(changes)
    old_slug = page.slug
    if "slug" in changes:
        changes["slug"] = _check_slug(changes["slug"], exclude_id=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.full_clean(exclude=["slug"])
    if logo is not None:
        page.logo = _store_image(page, logo, box=LOGO_BOX, field="logo")
    elif remove_logo:
        page.logo = None
    page.version = F("version") + 1
    page.save()
    page.refresh_from_db(fields=["version", "updated_at"])
    _drop_unused_assets(page)
    if routers is not None:
        landing_page_set_routers(page=page, actor=actor, routers=routers)
    if packages is not None:
        landing_page_set_packages(page=page, actor=actor, packages=packages)
    _invalidate_after_commit(old_slug, page.slug)
    return page


@transaction.atomic
def landing_page_delete(*, page: LandingPage, actor) -> None:
    slug = page.slug
    page.delete()
    _invalidate_after_commit(slug)


@transaction.atomic
def landing_page_set_routers(*, page: LandingPage, actor, routers) -> None:
    """Make exactly ``routers`` use ``page``; a router moves here from any other page."""
    routers = list(routers)
    if any(router.organization_id != page.organization_id for router in routers):
        raise ValidationFailed(_("Choose your own routers."), field="routers")
    wanted = {router.pk for router in routers}
    current = set(LandingPageRouter.objects.filter(page=page).values_list("router_id", flat=True))
    if wanted == current:
        return
    moved_from = list(
        LandingPageRouter.objects.filter(router_id__in=wanted)
        .exclude(page=page)
        .select_related("page")
    )
    LandingPageRouter.objects.filter(pk__in=[link.pk for link in moved_from]).delete()
    LandingPageRouter.objects.filter(page=page).exclude(router_id__in=wanted).delete()
    for router_id in sorted(wanted - current):
        LandingPageRouter.objects.create(
            organization_id=page.organization_id, page=page, router_id=router_id
        )
    for link in moved_from:
        _bump(link.page)
    _bump(page)


@transaction.atomic
def landing_page_set_packages(*, page: LandingPage, actor, packages) -> None:
    """The page sells exactly ``packages`` (the active organisation's)."""
    packages = list(packages)
    if any(package.organization_id != page.organization_id for package in packages):
        raise ValidationFailed(_("Choose your own packages."), field="packages")
    wanted = {package.pk for package in packages}
    current = set(LandingPagePackage.objects.filter(page=page).values_list("package_id", flat=True))
    if wanted == current:
        return
    LandingPagePackage.objects.filter(page=page).exclude(package_id__in=wanted).delete()
    for package_id in sorted(wanted - current):
        LandingPagePackage.objects.create(
            organization_id=page.organization_id, page=page, package_id=package_id
        )
    _bump(page)


def _next_position(page: LandingPage) -> int:
    top = LandingBlock.objects.filter(page=page).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def landing_block_add(
    *, page: LandingPage, actor, kind: str, text: str = "", image=None, image_alt: str = ""
) -> LandingBlock:
    if kind not in LandingBlock.Kind.values:
        raise ValidationFailed(_("Choose what kind of block to add."), field="kind")
    text = (text or "").strip()
    if kind == LandingBlock.Kind.HEADING and not text:
        raise ValidationFailed(_("Type the heading."), field="text")
    if kind == LandingBlock.Kind.TEXT and not text:
        raise ValidationFailed(_("Type the text to show."), field="text")
    if kind == LandingBlock.Kind.IMAGE:
        if image is None:
            raise ValidationFailed(_("Choose an image to upload."), field="image")
        if not (image_alt or "").strip():
            raise ValidationFailed(
                _("Describe the image for people who cannot see it."), field="image_alt"
            )
    block = LandingBlock(
        organization_id=page.organization_id,
        page=page,
        kind=kind,
        position=_next_position(page),
        text=text,
        image_alt=(image_alt or "").strip(),
    )
    block.full_clean(exclude=["page", "image"])
    if image is not None and kind == LandingBlock.Kind.IMAGE:
        block.image = _store_image(page, image, box=BLOCK_IMAGE_BOX, field="image")
    block.save()
    _bump(page)
    return block


@transaction.atomic
def landing_block_update(
    *, block: LandingBlock, actor, text: str = "", image=None, image_alt: str = ""
) -> LandingBlock:
    text = (text or "").strip()
    if block.kind in (LandingBlock.Kind.HEADING, LandingBlock.Kind.TEXT) and not text:
        raise ValidationFailed(_("This block needs some text."), field="text")
    if block.kind == LandingBlock.Kind.IMAGE and not (image_alt or "").strip():
        raise ValidationFailed(
            _("Describe the image for people who cannot see it."), field="image_alt"
        )
    block.text = text
    block.image_alt = (image_alt or "").strip()
    block.full_clean(exclude=["page", "image"])
    if image is not None and block.kind == LandingBlock.Kind.IMAGE:
        block.image = _store_image(block.page, image, box=BLOCK_IMAGE_BOX, field="image")
    block.save()
    _drop_unused_assets(block.page)
    _bump(block.page)
    return block


@transaction.atomic
def landing_block_move(*, block: LandingBlock, actor, direction: str) -> bool:
    """Swap ``block`` with its neighbour ("up" or "down"); False when already at that end."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Move a block up or down."), field="direction")
    blocks = list(
        LandingBlock.objects.select_for_update()
        .filter(page_id=block.page_id)
        .order_by("position", "id")
    )
    index = next(i for i, b in enumerate(blocks) if b.pk == block.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(blocks):
        return False
    blocks[index], blocks[other] = blocks[other], blocks[index]
    for position, item in enumerate(blocks):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _bump(block.page)
    return True


@transaction.atomic
def landing_block_remove(*, block: LandingBlock, actor) -> None:
    page = block.page
    block.delete()
    _drop_unused_assets(page)
    _bump(page)


def _drop_unused_assets(page: LandingPage) -> None:
    """Delete images no longer used by the page's logo or blocks."""
    used = set(
        LandingBlock.objects.filter(page=page, image__isnull=False).values_list(
            "image_id", flat=True
        )
    )
    if page.logo_id:
        used.add(page.logo_id)
    LandingAsset.objects.filter(page=page).exclude(pk__in=used).delete()

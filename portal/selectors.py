"""Reads for the builder and the public pages."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from accounts.tenancy import all_tenants
from portal.models import LandingAsset, LandingBlock, LandingPage, PortalPurchase


def landing_page_for_slug(slug: str) -> LandingPage | None:
    """The page served at ``/p/<slug>/``, whichever organisation owns it.

    The public URL names no organisation, so this one look-up is unscoped;
    the caller then activates the page's organisation for everything else.
    """
    with all_tenants():
        return (
            LandingPage.objects.select_related("organization", "logo")
            .defer("logo__content")
            .filter(slug=slug)
            .first()
        )


def slug_taken(slug: str, *, exclude_id=None) -> bool:
    with all_tenants():  # slugs are unique across organisations
        queryset = LandingPage.objects.filter(slug=slug)
        if exclude_id is not None:
            queryset = queryset.exclude(pk=exclude_id)
        return queryset.exists()


def page_list():
    """The active organisation's pages with their block counts."""
    return LandingPage.objects.annotate(block_count=Count("blocks")).order_by("title", "id")


def page_get(landingpage_id) -> LandingPage | None:
    return (
        LandingPage.objects.select_related("logo")
        .defer("logo__content")
        .filter(pk=landingpage_id)
        .first()
    )


def page_blocks(page: LandingPage) -> list[LandingBlock]:
    return list(
        LandingBlock.objects.filter(page=page)
        .select_related("image")
        .defer("image__content")
        .order_by("position", "id")
    )


def asset_for_page(page_id: int, filename: str) -> LandingAsset | None:
    """An image of this page by its public file name (``<digest32>.<ext>``)."""
    digest_prefix = filename.split(".", 1)[0]
    if len(digest_prefix) != 32:
        return None
    asset = (
        LandingAsset.objects.filter(page_id=page_id, digest__startswith=digest_prefix)
        .order_by("-created_at")
        .first()
    )
    return asset if asset is not None and asset.filename == filename else None


def portal_summary() -> dict:
    """Pages of the active organisation and the last 24 hours of purchases on them."""
    since = timezone.now() - timedelta(hours=24)
    purchases = PortalPurchase.objects.filter(created_at__gte=since).aggregate(
        started=Count("id"),
        fulfilled=Count("id", filter=Q(status=PortalPurchase.Status.FULFILLED)),
    )
    pages = LandingPage.objects.aggregate(
        total=Count("id"), published=Count("id", filter=Q(is_published=True))
    )
    first = LandingPage.objects.order_by("title", "id").values("pk", "slug").first()
    return {**pages, **purchases, "first": first}

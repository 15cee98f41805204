"""The landing page's configuration, built once and cached, so a page view costs no query.

``page_config(slug)`` returns a :class:`PageConfig`: everything the public
views need (the organisation, texts, colours, packages on sale, the routers
using the page) plus the landing page already rendered and split around the
few per-visit placeholders (hand-off token, notice, typed code).

Each web process keeps configs in memory. Every few seconds it checks a
version stamp in the shared cache (one cache read), and it rebuilds from the
database at least every ``PORTAL_CONFIG_MAX_AGE`` seconds, so prices changed
in the vouchers app show up without any coupling. Builder changes call
:func:`page_config_invalidate`, which bumps the stamp at once.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from accounts.tenancy import tenant
from portal.colors import css_variables

PLACEHOLDER = re.compile(r"\[\[NP:(\w+)\]\]")
PLACEHOLDERS = {name: f"[[NP:{name}]]" for name in ("H", "Q", "NOTICE", "CODE")}
_STYLE_TEMPLATE = "portal/public/landing.css"


@dataclass
class PackageOption:
    id: int
    name: str
    price: str
    description: str = ""


@dataclass
class PageConfig:
    id: int
    slug: str
    organization: object
    organization_name: str
    organization_time_zone: str
    title: str
    language: str
    version: int
    login_method: str
    hotspot_dns_name: str
    offer_mpesa: bool
    offer_paystack: bool
    counter_instructions: str
    terms_url: str
    privacy_url: str
    support_phone: str
    support_whatsapp: str
    is_available: bool
    style: str
    logo: dict | None
    packages: list[PackageOption] = field(default_factory=list)
    payment_methods: tuple[str, ...] = ()
    router_ids: tuple[int, ...] = ()
    # Only in this process's memory (never the shared cache): the router rows hold
    # decrypted API credentials. Edits reach here within PORTAL_CONFIG_MAX_AGE.
    routers: dict = field(default_factory=dict, repr=False)
    router_identities: dict[str, int] = field(default_factory=dict)
    landing_parts: list[str] = field(default_factory=list)
    stamp: str = ""
    built_at: float = 0.0

    @property
    def base_path(self) -> str:
        return f"/p/{self.slug}/"

    @property
    def sells_packages(self) -> bool:
        """Packages on sale and some way to pay for them (online or at the counter)."""
        return bool(self.packages) and bool(self.payment_methods or self.counter_instructions)

    def package(self, package_id) -> PackageOption | None:
        for option in self.packages:
            if str(option.id) == str(package_id):
                return option
        return None

    def render_landing(self, **values: str) -> str:
        """The landing page with the per-visit placeholders filled (values are HTML)."""
        parts = self.landing_parts
        return "".join(values.get(part, "") if i % 2 else part for i, part in enumerate(parts))


class _Entry:
    __slots__ = ("checked_at", "config")

    def __init__(self, config, checked_at):
        self.config = config
        self.checked_at = checked_at


_local: dict[str, _Entry] = {}
_missing: dict[str, float] = {}
_lock = threading.Lock()


def _stamp_key(slug: str) -> str:
    return f"portal:page-stamp:{slug}"


def page_style(*, primary: str, background: str, text: str) -> str:
    variables = css_variables(primary=primary, background=background, text=text)
    root = ";".join(f"{name}:{value}" for name, value in variables.items())
    return ":root{" + root + "}\n" + render_to_string(_STYLE_TEMPLATE)


def hidden_handoff(token: str) -> str:
    return f'<input type="hidden" name="h" value="{escape(token)}">' if token else ""


def handoff_query(token: str) -> str:
    return f"?h={token}" if token else ""


def build_page_config(page, *, preview: bool = False) -> PageConfig:
    """Read everything the public views need for ``page`` (a LandingPage) and render it.

    ``preview`` renders for the builder's phone frame: forms do nothing and
    empty blocks say why they are empty.
    """
    from portal import integrations
    from portal.selectors import page_blocks

    organization = page.organization
    with tenant(organization):
        blocks = page_blocks(page)
        packages = integrations.package_options(page)
        routers = integrations.page_routers(page)
        config = PageConfig(
            id=page.pk,
            slug=page.slug,
            organization=organization,
            organization_name=organization.name,
            organization_time_zone=organization.time_zone,
            title=page.title,
            language=page.language,
            version=page.version,
            login_method=page.login_method,
            hotspot_dns_name=page.hotspot_dns_name,
            offer_mpesa=page.offer_mpesa,
            offer_paystack=page.offer_paystack,
            counter_instructions=page.counter_instructions,
            terms_url=page.terms_url,
            privacy_url=page.privacy_url,
            support_phone=page.support_phone,
            support_whatsapp=page.support_whatsapp,
            is_available=page.is_published and organization.status == "active",
            style=page_style(
                primary=page.color_primary, background=page.color_background, text=page.color_text
            ),
            logo=_asset_info(page, page.logo),
            packages=packages,
            payment_methods=integrations.payment_methods(page),
            router_ids=tuple(router.pk for router in routers),
            routers={router.pk: router for router in routers},
            router_identities=_identities(routers),
            stamp=f"{page.pk}:{page.version}:{page.updated_at.timestamp()}",
            built_at=time.monotonic(),
        )
        html = render_public(
            "portal/public/landing.html",
            config,
            {"blocks": [_block_view(page, block) for block in blocks], "preview": preview},
            q=PLACEHOLDERS["Q"],
        )
    config.landing_parts = PLACEHOLDER.split(html)
    return config


def _identities(routers) -> dict[str, int]:
    from portal import integrations

    found: dict[str, int] = {}
    for router in routers:
        for name in integrations.router_names(router):
            found.setdefault(name.lower(), router.pk)
    return found


def _asset_info(page, asset) -> dict | None:
    if asset is None:
        return None
    return {
        "url": f"/p/{page.slug}/img/{asset.filename}",
        "width": asset.width,
        "height": asset.height,
    }


def _block_view(page, block) -> dict:
    return {
        "id": block.pk,
        "kind": block.kind,
        "text": block.text,
        "image": _asset_info(page, block.image),
        "image_alt": block.image_alt,
    }


def compact_html(html: str) -> str:
    """Drop the blank lines and indentation templates leave (the page has no <pre>)."""
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


def render_public(template: str, config: PageConfig, context: dict, *, q: str = "") -> str:
    """Render a public page in the page's language with the shared shell context."""
    with translation.override(config.language):
        html = render_to_string(
            template,
            {
                "config": config,
                "style": config.style,
                "base": config.base_path,
                "q": q,
                "ph": PLACEHOLDERS,
                **context,
            },
        )
    return compact_html(html)


def page_config(slug: str) -> PageConfig | None:
    """The cached configuration of the page at ``/p/<slug>/`` (None if there is none)."""
    now = time.monotonic()
    entry = _local.get(slug)
    recheck = settings.PORTAL_CONFIG_RECHECK_SECONDS
    if entry is not None and now - entry.checked_at < recheck:
        return entry.config
    if entry is None and now - _missing.get(slug, -1e9) < recheck:
        return None
    stamp = cache.get(_stamp_key(slug))
    if (
        entry is not None
        and stamp == entry.config.stamp
        and now - entry.config.built_at < settings.PORTAL_CONFIG_MAX_AGE
    ):
        entry.checked_at = now
        return entry.config
    config = _load(slug)
    with _lock:
        if config is None:
            _local.pop(slug, None)
            _missing[slug] = now
            return None
        _missing.pop(slug, None)
        _local[slug] = _Entry(config, now)
    if stamp != config.stamp:
        cache.set(_stamp_key(slug), config.stamp, None)
    return config


def _load(slug: str) -> PageConfig | None:
    from portal.selectors import landing_page_for_slug

    page = landing_page_for_slug(slug)
    return build_page_config(page) if page is not None else None


def page_config_invalidate(slug: str) -> None:
    """Forget the cached config of ``slug`` here and tell the other processes."""
    with _lock:
        _local.pop(slug, None)
        _missing.pop(slug, None)
    cache.set(_stamp_key(slug), f"changed:{time.time()}", None)


def page_config_clear() -> None:
    """Forget every cached config in this process (tests, after the database is reset)."""
    with _lock:
        _local.clear()
        _missing.clear()

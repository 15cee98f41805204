"""The public landing pages at /p/<slug>/: no login, no cookies, no JavaScript.

Every view goes through :func:`public_page`, which finds the page's cached
configuration by slug, makes the page's organisation the active tenant for
the request (and clears it after), and renders in the page's language. The
forms carry no CSRF cookie (the page sets no cookie at all); POSTs must come
from our own origin instead, which browsers state in the Origin header.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import translation

from accounts import tenancy
from portal.handoff import Handoff, parse_handoff
from portal.pagecache import handoff_query, hidden_handoff, page_config, render_public

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'"
)


def public_page(view):
    @functools.wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        config = page_config(slug)
        if config is None:
            raise Http404
        token = tenancy.activate(config.organization)
        try:
            with translation.override(config.language):
                if not config.is_available:
                    response = _page(
                        render_public("portal/public/unavailable.html", config, {}), status=503
                    )
                else:
                    response = view(request, config, *args, **kwargs)
        finally:
            tenancy.deactivate(token)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Content-Language", config.language)
        response.setdefault("Cache-Control", "no-store")
        return response

    return wrapped


def _page(html: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def same_origin(request) -> bool:
    """True unless the browser says the form was posted from another site."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    trusted = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in trusted


def _landing(config, handoff: Handoff, *, notice: str = "", code: str = "", status: int = 200):
    token = handoff.to_token()
    html = config.render_landing(
        H=hidden_handoff(token),
        Q=handoff_query(token),
        NOTICE=notice,
        CODE=_escape_code(code),
    )
    return _page(html, status=status)


def _escape_code(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum() or ch in "- ")[:40]


def _handoff_from(request, config) -> Handoff:
    source = request.POST if request.method == "POST" else request.GET
    if source.get("h"):
        return Handoff.from_token(source.get("h", ""))
    return parse_handoff(request.GET, hotspot_dns_name=config.hotspot_dns_name)


def _render(config, template, context, *, q="", status=200):
    return _page(render_public(template, config, context, q=q), status=status)

"""The landing page itself: the hand-off, voucher login, the connected page, images."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from portal import connect, notices, routerfiles, selectors
from portal.handoff import Handoff, parse_handoff
from portal.pagecache import handoff_query, render_public
from portal.ratelimit import voucher_limiter
from portal.views.common import client_ip
from portal.views.public.common import (
    _landing,
    _page,
    public_page,
    same_origin,
)

CONNECTED_SALT = "portal.connected"


@require_GET
@public_page
def landing(request, config):
    # The query string straight into a dict: this view runs for every device that joins a
    # hotspot, and QueryDict's multi-value machinery is a third of its time.
    try:
        params = dict(
            parse_qsl(
                request.META.get("QUERY_STRING", ""), keep_blank_values=True, max_num_fields=20
            )
        )
    except ValueError:  # more fields than any router sends
        params = {}
    handoff = parse_handoff(params, hotspot_dns_name=config.hotspot_dns_name)
    return _landing(
        config,
        handoff,
        notice=notices.notice_html(handoff.error),
        code=_scanned_code(config, params.get("code", ""), handoff.link_orig),
    )


def _scanned_code(config, code: str, link_orig: str) -> str:
    """A code from a printed voucher's QR link (``?code=``), to fill the voucher box.

    The phone may open the link directly, or the router may catch it first and
    send it here as ``link-orig``.
    """
    if not code and link_orig:
        parts = urlsplit(link_orig)
        if parts.path == config.base_path:
            try:
                code = dict(parse_qsl(parts.query, max_num_fields=10)).get("code", "")
            except ValueError:
                code = ""
    return code[:40]


@csrf_exempt  # no cookies on the landing page; same_origin() checks the Origin instead
@require_POST
@public_page
def voucher_login(request, config):
    if not same_origin(request):
        return HttpResponse(status=403)
    handoff = Handoff.from_token(request.POST.get("h", ""))
    raw_code = request.POST.get("code", "")
    if request.POST.get("h") and handoff.is_empty:  # forged, or the page sat open for hours
        return _landing(config, handoff, notice=notices.notice_html("expired_form"), status=400)
    identities = {"mac": handoff.mac, "ip": client_ip(request)}
    limiter = voucher_limiter()
    lockout, counted = limiter.check(identities)
    if lockout is not None:
        return _locked(config, handoff, lockout)
    code = connect.normalize_code(raw_code)
    if not code:
        return _landing(config, handoff, notice=notices.notice_html("empty_code"), status=400)

    outcome = connect.voucher_login(config=config, handoff=handoff, code=code)
    if outcome.counts_as_guess:
        lockout = limiter.fail(identities)
        if lockout is not None:
            return _locked(config, handoff, lockout)
        return _landing(
            config, handoff, notice=notices.notice_html(outcome.status), code=raw_code, status=400
        )
    if not outcome.is_success:
        status = 503 if outcome.status in ("router_offline", "no_router") else 400
        return _landing(
            config,
            handoff,
            notice=notices.notice_html(outcome.status),
            code=raw_code,
            status=status,
        )
    if "mac" in counted:  # earlier typos of this device are forgiven once it gets in
        limiter.reset({"mac": handoff.mac})
    if outcome.status == "handoff":
        return HttpResponseRedirect(outcome.redirect_url, status=303)
    return HttpResponseRedirect(connected_url(config, outcome, handoff), status=303)


def _locked(config, handoff, lockout):
    response = _landing(
        config,
        handoff,
        notice=notices.lockout_html(lockout, config.organization_time_zone),
        status=429,
    )
    response["Retry-After"] = str(lockout.retry_after)
    return response


def connected_url(config, outcome, handoff: Handoff) -> str:
    token = signing.dumps(
        {"c": outcome.code, "o": handoff.link_orig, "s": outcome.status},
        salt=f"{CONNECTED_SALT}:{config.id}",
    )
    return f"{config.base_path}connected/?t={token}"


@require_GET
@public_page
def connected(request, config):
    try:
        data = signing.loads(
            request.GET.get("t", ""), salt=f"{CONNECTED_SALT}:{config.id}", max_age=3600
        )
    except signing.BadSignature:
        return HttpResponseRedirect(config.base_path, status=303)
    return _page(
        render_public(
            "portal/public/connected.html",
            config,
            {
                "code": data.get("c", ""),
                "link_orig": data.get("o", ""),
                "online": data.get("s") == "online",
            },
        )
    )


@require_GET
@public_page
def privacy_notice(request, config):
    handoff = parse_handoff(request.GET, hotspot_dns_name=config.hotspot_dns_name)
    return _page(
        render_public(
            "portal/public/privacy.html",
            config,
            {"back": config.base_path + handoff_query(handoff.to_token())},
            q=handoff_query(handoff.to_token()),
        )
    )


@require_GET
@public_page
def image(request, config, filename):
    asset = selectors.asset_for_page(config.id, filename)
    if asset is None:
        raise Http404
    response = HttpResponse(bytes(asset.content), content_type=asset.content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_GET
@public_page
def router_login_html(request, config):
    """The same login.html as the dashboard download, public so ``/tool fetch`` can get it."""
    response = HttpResponse(
        routerfiles.login_html(slug=config.slug, title=config.title),
        content_type="text/html; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response

"""The public landing pages at /p/<slug>/: no login, no cookies, no JavaScript.

Every view goes through :func:`public_page`, which finds the page's cached
configuration by slug, makes the page's organisation the active tenant for
the request (and clears it after), and renders in the page's language. The
forms carry no CSRF cookie (the page sets no cookie at all); POSTs must come
from our own origin instead, which browsers state in the Origin header.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import tenancy
from nettportal.errors import ApplicationError
from portal import connect, datarequests, integrations, notices, purchases, routerfiles, selectors
from portal.forms import CodeForm, DataRequestForm, RecoverForm
from portal.handoff import Handoff, hand_back_url, parse_handoff
from portal.pagecache import handoff_query, hidden_handoff, page_config, render_public
from portal.ratelimit import recovery_limiter, voucher_limiter
from portal.views.common import client_ip, form_error

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'"
)
CONNECTED_SALT = "portal.connected"


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
            code = dict(parse_qsl(parts.query, max_num_fields=10)).get("code", "")
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
    lockout = limiter.lockout(identities)
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


# --- "your data" requests ----------------------------------------------------------------------


def _handoff_from(request, config) -> Handoff:
    source = request.POST if request.method == "POST" else request.GET
    if source.get("h"):
        return Handoff.from_token(source.get("h", ""))
    return parse_handoff(request.GET, hotspot_dns_name=config.hotspot_dns_name)


def _render(config, template, context, *, q="", status=200):
    return _page(render_public(template, config, context, q=q), status=status)


@csrf_exempt  # no cookies on the landing page; same_origin() checks the Origin instead
@require_http_methods(["GET", "POST"])
@public_page
def your_data(request, config):
    handoff = _handoff_from(request, config)
    token = handoff.to_token()
    form = DataRequestForm(request.POST or None)
    notice = ""
    status = 200
    if request.method == "POST":
        if not same_origin(request):
            return HttpResponse(status=403)
        if form.is_valid():
            identities = {
                "ip": client_ip(request),
                "mac": handoff.mac,
                "contact": form.cleaned_data["contact"].strip().lower(),
            }
            limiter = recovery_limiter()
            lockout = limiter.lockout(identities)
            if lockout is not None:
                notice = notices.too_many_html(lockout, config.organization_time_zone)
                status = 429
            else:
                try:
                    request_token = datarequests.data_request_start(
                        config=config,
                        kind=form.cleaned_data["kind"],
                        name=form.cleaned_data["name"],
                        contact=form.cleaned_data["contact"],
                        message=form.cleaned_data["message"],
                    )
                except ApplicationError as error:
                    form_error(form, error)
                else:
                    limiter.fail(identities)  # every code sent counts towards the limit
                    target = f"{config.base_path}your-data/{request_token}/{handoff_query(token)}"
                    return HttpResponseRedirect(target, status=303)
        if status == 200:
            status = 400
    return _render(
        config,
        "portal/public/your_data.html",
        {"form": form, "h": token, "notice": notice},
        q=handoff_query(token),
        status=status,
    )


@csrf_exempt  # see your_data
@require_http_methods(["GET", "POST"])
@public_page
def your_data_code(request, config, token):
    handoff = Handoff.from_token(request.GET.get("h", ""))
    q = handoff_query(handoff.to_token())
    pending = datarequests.data_request_pending(config=config, token=token)
    if pending is None:
        return HttpResponseRedirect(f"{config.base_path}your-data/{q}", status=303)
    form = CodeForm(request.POST or None)
    notice = ""
    status = 200
    if request.method == "POST":
        if not same_origin(request):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                privacy_request = datarequests.data_request_verify(
                    config=config, token=token, code=form.cleaned_data["code"]
                )
            except datarequests.CodeRejected as error:
                notice = notices.text_html(error.message)
                status = 400
            else:
                return _render(
                    config,
                    "portal/public/your_data_done.html",
                    {"reference": privacy_request.reference},
                    q=q,
                )
        else:
            status = 400
    return _render(
        config,
        "portal/public/your_data_code.html",
        {
            "form": form,
            "token": token,
            "notice": notice,
            "destination": datarequests.mask_contact(pending.channel, pending.contact),
        },
        q=q,
        status=status,
    )


# --- buying a package ----------------------------------------------------------------------------


def _buy_page(config, option, handoff, *, notice="", values=None, status=200):
    token = handoff.to_token()
    return _render(
        config,
        "portal/public/buy.html",
        {"option": option, "h": token, "notice": notice, "values": values or {}},
        q=handoff_query(token),
        status=status,
    )


def buy_limiter():
    from portal.ratelimit import GuessLimiter, Rule

    return GuessLimiter(
        "buy",
        (
            Rule("mac", settings.PORTAL_PURCHASES_PER_DEVICE, 3600, 900),
            Rule("ip", settings.PORTAL_PURCHASES_PER_IP, 3600, 900),
        ),
    )


@csrf_exempt  # see voucher_login
@require_http_methods(["GET", "POST"])
@public_page
def buy(request, config):
    source = request.POST if request.method == "POST" else request.GET
    handoff = _handoff_from(request, config)
    option = config.package(source.get("package", ""))
    if option is None or not config.sells_packages:
        return HttpResponseRedirect(
            config.base_path + handoff_query(handoff.to_token()), status=303
        )
    if request.method == "GET":
        return _buy_page(config, option, handoff)
    if not same_origin(request):
        return HttpResponse(status=403)
    method = request.POST.get("method", "")
    values = {
        "phone": request.POST.get("phone", "")[:30] if method == "mpesa" else "",
        "card_phone": request.POST.get("phone", "")[:30] if method == "paystack" else "",
        "email": request.POST.get("email", "")[:254],
    }
    identities = {"mac": handoff.mac, "ip": client_ip(request)}
    limiter = buy_limiter()
    lockout = limiter.lockout(identities)
    if lockout is not None:
        notice = notices.too_many_html(lockout, config.organization_time_zone)
        return _buy_page(config, option, handoff, notice=notice, values=values, status=429)
    package = integrations.package_for_sale(config, option.id)
    if package is None:
        notice = notices.text_html(_("This package is no longer sold. Please choose another."))
        return _buy_page(config, option, handoff, notice=notice, status=400)
    limiter.fail(identities)  # every payment started counts towards the hourly limit
    try:
        purchase = purchases.purchase_start(
            config=config,
            handoff=handoff,
            package=package,
            method=method,
            phone=request.POST.get("phone", ""),
            email=request.POST.get("email", ""),
        )
    except integrations.PaymentNotStarted:
        notice = notices.text_html(
            _("The payment could not be started. No money was taken. Please try again.")
        )
        return _buy_page(config, option, handoff, notice=notice, values=values, status=502)
    except ApplicationError as error:
        return _buy_page(
            config,
            option,
            handoff,
            notice=notices.text_html(error.message),
            values=values,
            status=400,
        )
    if purchase.method == "paystack" and purchase.payment.redirect_url:
        return HttpResponseRedirect(purchase.payment.redirect_url, status=303)
    return HttpResponseRedirect(f"{config.base_path}pay/{purchase.token}/", status=303)


PENDING_REFRESH, SLOW_AFTER = 3, 90


@require_GET
@public_page
def pay_status(request, config, token):
    purchase = purchases.purchase_for_token(config=config, token=token)
    if purchase is None:
        raise Http404
    context = _pay_context(config, purchase)
    return _render(config, "portal/public/pay.html", context)


def _pay_context(config, purchase) -> dict:
    handoff = purchases.purchase_handoff(purchase)
    retry_url = (
        f"{config.base_path}buy/?package={purchase.package_id}&h={handoff.to_token()}"
        if purchase.package_id and config.package(purchase.package_id)
        else config.base_path
    )
    context = {"purchase": purchase, "refresh": 0, "css": notices.INFO}
    if purchase.status == purchase.Status.FULFILLED and purchase.voucher_id:
        code = purchase.voucher.code
        context.update(code=code, css=notices.OK, sent_to=_sent_to(purchase))
        if purchase.access == purchase.Access.ONLINE:
            context.update(
                heading=_("You are connected"),
                message=_("Payment received. Your device is online. Enjoy the Internet!"),
                link_orig=purchase.link_orig,
            )
        elif purchase.access == purchase.Access.HANDOFF and handoff.can_hand_back:
            context.update(
                heading=_("Payment received"),
                message=_("Your code is ready. Tap “Connect now” to go online."),
                connect_url=hand_back_url(
                    handoff, username=code, password=purchase.voucher.password
                ),
            )
        else:
            context.update(
                heading=_("Payment received"),
                message=_(
                    "Your code is ready. Type it in the voucher box of the Wi-Fi page to go online."
                ),
                retry_url=None,
            )
        return context
    state = integrations.payment_state(purchase)
    if (
        purchase.status == purchase.Status.FAILED
        or state is None
        or state.status
        in (
            "failed",
            "cancelled",
        )
    ):
        context.update(
            heading=_("Payment not completed"),
            message=_("The payment was cancelled or did not go through. No money was taken."),
            css=notices.ERROR,
            retry_url=retry_url,
        )
        return context
    context["reference"] = purchase.payment.reference
    if state.status == "paid":
        if state.fulfilment == "failed":
            context.update(
                heading=_("Payment received"),
                message=_(
                    "Your payment is safe, but we could not create your code automatically. "
                    "Please show the payment reference below to the staff."
                ),
                css=notices.ERROR,
            )
        elif state.fulfilment_attempts > 0:
            context.update(
                heading=_("Payment received"),
                message=_(
                    "The Wi-Fi router is not answering yet; we keep trying. You have paid once "
                    "and will not be charged again."
                ),
                refresh=5,
            )
        else:
            context.update(
                heading=_("Payment received"),
                message=_("Getting you online…"),
                refresh=PENDING_REFRESH,
            )
        return context
    if state.status == "needs_review":
        context.update(
            heading=_("Checking your payment"),
            message=_(
                "The payment network has not confirmed it yet. If money left your account you "
                "will get your code: keep your M-Pesa message."
            ),
            refresh=15,
        )
        return context
    slow = state.seconds_waiting > SLOW_AFTER
    if purchase.method == "mpesa":
        message = _("Check your phone: enter your M-Pesa PIN in the prompt to pay.")
    else:
        message = _("Finish the card payment in the Paystack window.")
        context["connect_url"] = state.redirect_url or ""
    if slow:
        message = _("Still waiting for the payment. Paid already? Check now. No prompt? Try again.")
    context.update(
        heading=_("Waiting for your payment"),
        message=message,
        refresh=PENDING_REFRESH if not slow else 10,
        can_check=slow,
        retry_url=retry_url if slow else None,
    )
    return context


def _sent_to(purchase) -> str:
    if purchase.phone:
        return datarequests.mask_contact("sms", purchase.phone)
    if purchase.email:
        return datarequests.mask_contact("email", purchase.email)
    return ""


@csrf_exempt  # see voucher_login
@require_POST
@public_page
def pay_check(request, config, token):
    if not same_origin(request):
        return HttpResponse(status=403)
    purchase = purchases.purchase_for_token(config=config, token=token)
    if purchase is None:
        raise Http404
    from django.core.cache import cache

    if cache.add(f"portal:pay-check:{purchase.pk}", 1, 15):
        integrations.payment_check_now(purchase)
    return HttpResponseRedirect(f"{config.base_path}pay/{purchase.token}/", status=303)


@csrf_exempt  # see voucher_login
@require_http_methods(["GET", "POST"])
@public_page
def recover(request, config):
    handoff = _handoff_from(request, config)
    token = handoff.to_token()
    form = RecoverForm(request.POST or None)
    context = {"form": form, "h": token, "notice": "", "code": ""}
    status = 200
    if request.method == "POST":
        if not same_origin(request):
            return HttpResponse(status=403)
        status = 400
        if form.is_valid():
            identities = {
                "ip": client_ip(request),
                "mac": handoff.mac,
                "contact": form.cleaned_data["contact"].strip().lower(),
            }
            limiter = recovery_limiter()
            lockout = limiter.lockout(identities)
            if lockout is not None:
                context["notice"] = notices.too_many_html(lockout, config.organization_time_zone)
                status = 429
            else:
                try:
                    purchase = purchases.purchase_recover(
                        config=config,
                        contact=form.cleaned_data["contact"],
                        reference=form.cleaned_data["reference"],
                    )
                except ApplicationError as error:
                    form_error(form, error)
                    purchase = None
                if purchase is not None and purchase.voucher_id:
                    limiter.reset(identities)
                    context["code"] = purchase.voucher.code
                    status = 200
                elif not form.errors:
                    limiter.fail(identities)
                    context["notice"] = notices.text_html(
                        _("We found no paid voucher for these details. Check the reference.")
                    )
    return _render(
        config, "portal/public/recover.html", context, q=handoff_query(token), status=status
    )

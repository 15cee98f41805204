"""Buying a package on the landing page: choose, pay, wait, connect; recovering a paid code."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nettportal.errors import ApplicationError
from portal import datarequests, integrations, notices, purchases
from portal.forms import RecoverForm
from portal.handoff import hand_back_url
from portal.pagecache import handoff_query
from portal.ratelimit import recovery_limiter
from portal.views.common import client_ip, form_error
from portal.views.public.common import (
    _handoff_from,
    _render,
    public_page,
    same_origin,
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

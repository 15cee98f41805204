"""The end customer's "your data" request, verified by a one-time code."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from nettportal.errors import ApplicationError
from portal import datarequests, notices
from portal.forms import CodeForm, DataRequestForm
from portal.handoff import Handoff
from portal.pagecache import handoff_query
from portal.ratelimit import recovery_limiter
from portal.views.common import client_ip, form_error
from portal.views.public.common import (
    _handoff_from,
    _render,
    public_page,
    same_origin,
)

# --- "your data" requests ----------------------------------------------------------------------


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

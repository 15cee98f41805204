"""Public privacy pages: no login. The privacy-request form for an operator's
end customers, one-click unsubscribe, and reporting a minor's data."""

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import Organization
from accounts.tenancy import tenant
from nettportal.errors import ApplicationError
from privacy.forms import MinorReportForm, PublicPrivacyRequestForm
from privacy.models import PrivacyRequest
from privacy.services import consent as consent_services
from privacy.services import reports as report_services
from privacy.services.requests import privacy_request_create
from privacy.views.common import client_ip, form_error

PUBLIC_FORM_LIMIT = 5  # submissions per IP address per hour


def _rate_limited(request, bucket: str) -> bool:
    key = f"privacy:rate:{bucket}:{client_ip(request) or 'unknown'}"
    added = cache.add(key, 1, 3600)
    if added:
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        return False
    return count > PUBLIC_FORM_LIMIT


def _operator(request):
    slug = (request.GET.get("org") or request.POST.get("org") or "").strip()
    if not slug:
        return None
    return Organization.objects.filter(slug=slug, status=Organization.Status.ACTIVE).first()


@require_http_methods(["GET", "POST"])
def privacy_request_public(request):
    """An end customer asks their operator (the controller) about their data.

    The landing page links here with ``?org=<slug>``; the portal app may also
    embed the same form and call ``privacy_request_create`` itself.
    """
    operator = _operator(request)
    if operator is None:
        return render(request, "privacy/public_request_unknown.html", status=404)
    form = PublicPrivacyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            return redirect(f"{request.path}?org={operator.slug}&sent=1")  # a bot; say nothing
        if _rate_limited(request, "request"):
            form.add_error(None, _("Too many requests from your network. Try again in an hour."))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                with tenant(operator):  # the operator named in the link, like the portal
                    privacy_request = privacy_request_create(
                        organization=operator, source=PrivacyRequest.Source.LANDING_PAGE, **data
                    )
            except ApplicationError as error:
                form_error(form, error)
            else:
                return render(
                    request,
                    "privacy/public_request_done.html",
                    {"operator": operator, "privacy_request": privacy_request},
                )
    return render(request, "privacy/public_request.html", {"operator": operator, "form": form})


@csrf_exempt  # RFC 8058: the mail provider POSTs without our CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request):
    """GET shows a confirmation button; POST unsubscribes (also one-click
    ``List-Unsubscribe=One-Click`` from mail clients). No login needed: the
    signed token names the user and the topic."""
    token = request.GET.get("t") or request.POST.get("t") or ""
    try:
        user, topic = consent_services.unsubscribe_from_token(token)
    except ApplicationError as error:
        return render(request, "privacy/unsubscribe.html", {"error": error.message}, status=400)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        consent_services.unsubscribe(
            token=token, one_click=one_click, ip_address=client_ip(request)
        )
        if one_click:
            return HttpResponse(_("Unsubscribed."), content_type="text/plain")
        return render(request, "privacy/unsubscribe.html", {"done": True, "topic": topic})
    from privacy.models import Topic

    return render(
        request,
        "privacy/unsubscribe.html",
        {"token": token, "topic_label": Topic(topic).label, "email": _mask(user.email)},
    )


def _mask(email: str) -> str:
    name, _sep, domain = email.partition("@")
    return f"{name[:2]}…@{domain}"


@require_http_methods(["GET", "POST"])
def minor_report(request):
    form = MinorReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            return render(request, "privacy/minor_report_done.html")
        if _rate_limited(request, "minor"):
            form.add_error(None, _("Too many reports from your network. Try again in an hour."))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                report_services.minor_report_create(**data)
            except ApplicationError as error:
                form_error(form, error)
            else:
                return render(request, "privacy/minor_report_done.html")
    return render(request, "privacy/minor_report.html", {"form": form})

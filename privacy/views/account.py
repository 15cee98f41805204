"""Account deletion, the user's own data, email preferences, cookie settings,
and acknowledging a policy change."""

import os
import tempfile

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from privacy import selectors
from privacy.consent import ANALYTICS, cookie_choice, cookie_choice_store
from privacy.forms import CookieChoiceForm, DeletionRequestForm, MarketingPreferencesForm
from privacy.models import ConsentEvent, Topic
from privacy.services import consent as consent_services
from privacy.services import deletion as deletion_services
from privacy.services.exports import user_export_write
from privacy.services.policies import policies_acknowledge
from privacy.views.common import client_ip, form_error


@org_permission_required("org.view")
def deletion(request):
    organization = request.organization
    return render(
        request,
        "privacy/deletion.html",
        {
            "deletion": selectors.deletion_active(organization=organization),
            "hold": selectors.legal_hold_active(organization=organization),
            "form": DeletionRequestForm(),
            "can_delete": has_org_permission(request, "org.delete"),
        },
    )


@require_POST
@org_permission_required("org.delete")
@reauthentication_required
def deletion_request(request):
    form = DeletionRequestForm(request.POST)
    if form.is_valid():
        try:
            deletion_services.organization_deletion_request(
                organization=request.organization,
                actor=request.user,
                confirm_name=form.cleaned_data["confirm_name"],
                request=request,
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.warning(
                request,
                _(
                    "The deletion is scheduled. The organisation is suspended now; you can "
                    "cancel until the date shown."
                ),
            )
            return redirect("privacy:deletion")
    return render(
        request,
        "privacy/deletion.html",
        {
            "deletion": selectors.deletion_active(organization=request.organization),
            "form": form,
            "can_delete": True,
        },
        status=400,
    )


@require_POST
@org_permission_required("org.delete")
def deletion_cancel(request):
    active = selectors.deletion_active(organization=request.organization)
    if active is None:
        messages.error(request, _("There is no scheduled deletion to cancel."))
        return redirect("privacy:deletion")
    try:
        deletion_services.organization_deletion_cancel(
            deletion=active, actor=request.user, request=request
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The deletion was cancelled. Welcome back."))
    return redirect("privacy:deletion")


# --- the user's own data ------------------------------------------------------------------


@login_required
def my_data(request):
    if request.method == "POST":
        handle, path = tempfile.mkstemp(suffix=".zip")
        os.close(handle)
        try:
            user_export_write(user=request.user, path=path, request=request)
            with open(path, "rb") as handle:
                content = handle.read()  # one person's rows: small
        finally:
            os.remove(path)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="nettportal-my-data-{timezone.now():%Y%m%d}.zip"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "privacy/my_data.html",
        {
            "history": selectors.consent_history(request.user),
            "choices": [
                (Topic(topic).label, granted)
                for topic, granted in selectors.marketing_choices(request.user).items()
            ],
            "cookie_choice": cookie_choice(request),
        },
    )


@login_required
def preferences(request):
    choices = selectors.marketing_choices(request.user)
    data = request.POST if request.method == "POST" else None  # unticked boxes send nothing
    form = MarketingPreferencesForm(data, choices=choices)
    if request.method == "POST" and form.is_valid():
        changed = consent_services.marketing_preferences_save(
            user=request.user,
            choices=form.cleaned_data,
            source=ConsentEvent.Source.PREFERENCES,
            ip_address=client_ip(request),
        )
        messages.success(
            request, _("Email preferences saved.") if changed else _("Nothing changed.")
        )
        return redirect("privacy:preferences")
    return render(
        request,
        "privacy/preferences.html",
        {"form": form, "history": selectors.consent_history(request.user, limit=20)},
    )


def _safe_next(request, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def cookie_settings(request):
    """Public: the cookie choice, from the banner or this page; changeable any time."""
    if request.method == "POST":
        form = CookieChoiceForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the options."))
            return redirect("privacy:cookies")
        analytics = form.cleaned_data["choice"] == ANALYTICS
        response = redirect(
            _safe_next(request, form.cleaned_data.get("next") or "", "/privacy-center/cookies/")
        )
        cookie_choice_store(response, analytics=analytics)
        if request.user.is_authenticated:
            from_banner = bool(form.cleaned_data.get("next"))
            consent_services.consent_set(
                user=request.user,
                topic=Topic.ANALYTICS_COOKIES,
                granted=analytics,
                source=(
                    ConsentEvent.Source.COOKIE_BANNER
                    if from_banner
                    else ConsentEvent.Source.COOKIE_SETTINGS
                ),
                ip_address=client_ip(request),
            )
        messages.success(
            request,
            _("Analytics cookies allowed. You can change this any time.")
            if analytics
            else _("Only essential cookies will be used."),
        )
        return response
    current = cookie_choice(request)
    form = CookieChoiceForm(initial={"choice": current or ""})
    template = (
        "privacy/cookie_settings.html"
        if getattr(request, "membership", None) is not None
        else "privacy/public_cookie_settings.html"
    )
    return render(request, template, {"form": form, "current": current})


@require_POST
@login_required
def policies_acknowledge_view(request):
    count = policies_acknowledge(user=request.user, ip_address=client_ip(request))
    if count:
        messages.success(request, _("Thank you. Your acknowledgement was recorded."))
    return redirect(_safe_next(request, request.POST.get("next", ""), "/dashboard/"))

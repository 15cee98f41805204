from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.permissions import org_permission_required
from insights.analytics import track_feature
from integrations import selectors, services
from integrations.forms import ApiTokenForm, WebhookEndpointForm
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.signing import SIGNATURE_HEADER
from nettportal.errors import ApplicationError


def _form_error(form, error: ApplicationError):
    form.add_error(error.field if error.field in form.fields else None, error.message)


@org_permission_required("api.manage")
def integrations_index(request):
    return render(
        request,
        "integrations/index.html",
        {
            "tokens": selectors.api_token_list(organization=request.organization),
            "endpoints": selectors.webhook_endpoint_list(organization=request.organization),
        },
    )


@org_permission_required("api.manage")
def api_token_create(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plaintext = services.api_token_create(
                organization=request.organization,
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            track_feature(request, "integrations.token_created")
            # Shown once, on this response only; never stored or put in the session.
            response = render(
                request, "integrations/token_created.html", {"token": token, "plaintext": plaintext}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "integrations/token_form.html", {"form": form})


@org_permission_required("api.manage")
def api_token_revoke(request, apitoken_id):
    token = get_object_or_404(ApiToken, pk=apitoken_id)
    if request.method == "POST":
        try:
            services.api_token_revoke(token=token, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("integrations:index")
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Revoke token?"),
            "message": _(
                "Integrations using “%(name)s” stop working immediately. This cannot be undone."
            )
            % {"name": token.name},
            "confirm_label": _("Revoke"),
            "cancel_url": "integrations:index",
        },
    )


@org_permission_required("api.manage")
def webhook_create(request):
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(
                organization=request.organization,
                actor=request.user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                scopes=form.cleaned_data["scopes"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            track_feature(request, "integrations.webhook_created")
            messages.success(request, _("Webhook endpoint added. Copy its signing secret below."))
            return redirect("integrations:webhook_detail", webhookendpoint_id=endpoint.pk)
    return render(request, "integrations/webhook_form.html", {"form": form, "creating": True})


@org_permission_required("api.manage")
def webhook_edit(request, webhookendpoint_id):
    endpoint = get_object_or_404(WebhookEndpoint, pk=webhookendpoint_id)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "scopes": endpoint.scopes,
        "is_active": endpoint.is_active,
    }
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_update(
                endpoint=endpoint, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Webhook endpoint saved."))
            return redirect("integrations:webhook_detail", webhookendpoint_id=endpoint.pk)
    return render(request, "integrations/webhook_form.html", {"form": form, "endpoint": endpoint})


@org_permission_required("api.manage")
def webhook_detail(request, webhookendpoint_id):
    endpoint = get_object_or_404(WebhookEndpoint, pk=webhookendpoint_id)
    status = request.GET.get("status", "")
    page = Paginator(
        selectors.webhook_delivery_list(endpoint=endpoint, status=status), 25
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "endpoint": endpoint,
            "page_obj": page,
            "status": status,
            "statuses": WebhookDelivery.Status.choices,
            "querystring": f"status={status}" if status else "",
            "signature_header": SIGNATURE_HEADER,
        },
    )


@require_POST
@org_permission_required("api.manage")
def webhook_test(request, webhookendpoint_id):
    endpoint = get_object_or_404(WebhookEndpoint, pk=webhookendpoint_id)
    services.webhook_send_test(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Test event queued. Refresh to see the result."))
    return redirect("integrations:webhook_detail", webhookendpoint_id=endpoint.pk)


@require_POST
@org_permission_required("api.manage")
def webhook_rotate_secret(request, webhookendpoint_id):
    endpoint = get_object_or_404(WebhookEndpoint, pk=webhookendpoint_id)
    services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    messages.success(request, _("New signing secret created. Update your receiver."))
    return redirect("integrations:webhook_detail", webhookendpoint_id=endpoint.pk)


@org_permission_required("api.manage")
def webhook_delete(request, webhookendpoint_id):
    endpoint = get_object_or_404(WebhookEndpoint, pk=webhookendpoint_id)
    if request.method == "POST":
        services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
        messages.success(request, _("Webhook endpoint deleted."))
        return redirect("integrations:index")
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Delete webhook endpoint?"),
            "message": _("%(url)s stops receiving events and its delivery log is deleted.")
            % {"url": endpoint.url},
            "confirm_label": _("Delete"),
            "cancel_url": "integrations:index",
        },
    )


@org_permission_required("api.manage")
def webhook_delivery_detail(request, webhookdelivery_id):
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"), pk=webhookdelivery_id
    )
    return render(
        request,
        "integrations/delivery_detail.html",
        {"delivery": delivery, "attempts": delivery.attempt_log.all()},
    )


@require_POST
@org_permission_required("api.manage")
def webhook_delivery_resend(request, webhookdelivery_id):
    delivery = get_object_or_404(WebhookDelivery, pk=webhookdelivery_id)
    try:
        services.webhook_delivery_resend(delivery=delivery, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Delivery queued again."))
    return redirect("integrations:delivery_detail", webhookdelivery_id=delivery.pk)


def api_docs(request):
    """Swagger UI over /api/schema/, served from our own static files."""
    return render(request, "integrations/api_docs.html")


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any /api/ path no route matches (e.g. ``/tickets/-1/``): the API's JSON
    error shape rather than Django's HTML 404 page."""
    from django.http import JsonResponse

    return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)

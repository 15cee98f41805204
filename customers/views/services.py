"""A customer's services: PPPoE accounts, and the sessions list."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import org_permission_required
from customers import selectors
from customers.forms import PppoeAccountForm
from customers.models import Customer, PppoeAccount
from customers.packages import known_packages
from customers.services import pppoe as services
from customers.views.common import form_error, log_access
from nettportal.errors import ApplicationError
from privacy.models import AccessLog


def _form_context(form, customer, account=None):
    return {
        "form": form,
        "customer": customer,
        "account": account,
        "packages": sorted({choice.name for choice in known_packages().values()}),
    }


def _router_by_id(router_id):
    return next((r for r in services.router_list() if r.pk == router_id), None)


@org_permission_required("customers.manage")
def pppoe_create(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    routers = services.router_list()
    form = PppoeAccountForm(request.POST or None, routers=routers)
    if not routers:
        messages.info(request, _("Add a router first: a PPPoE account lives on a router."))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.pppoe_account_create(
                customer=customer,
                actor=request.user,
                router=_router_by_id(data["router"]),
                username=data["username"],
                password=data["password"],
                profile=data["profile"],
                rate_limit=data["rate_limit"],
                remote_address=data["remote_address"],
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            log_access(
                request,
                AccessLog.Action.CHANGE,
                target=customer,
                detail={"pppoe": "create", "account": account.pk},
            )
            messages.success(
                request,
                _("PPPoE account %(u)s created; it is being set up on the router.")
                % {"u": account.username},
            )
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/pppoe_form.html", _form_context(form, customer))


@org_permission_required("customers.manage")
def pppoe_edit(request, pppoeaccount_id):
    account = get_object_or_404(PppoeAccount.objects.select_related("customer"), pk=pppoeaccount_id)
    routers = services.router_list()
    initial = {
        "router": account.router_id,
        "username": account.username,
        "profile": account.profile,
        "rate_limit": account.rate_limit,
        "remote_address": account.remote_address,
    }
    form = PppoeAccountForm(request.POST or None, initial=initial, routers=routers, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.pppoe_account_update(
                account=account,
                actor=request.user,
                router=_router_by_id(data["router"]),
                username=data["username"],
                password=data["password"],
                profile=data["profile"],
                rate_limit=data["rate_limit"],
                remote_address=data["remote_address"],
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            if changed:
                log_access(
                    request,
                    AccessLog.Action.CHANGE,
                    target=account.customer,
                    detail={"pppoe": "update", "account": account.pk, "fields": changed},
                )
                messages.success(request, _("Saved; the router is being updated."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("customers:detail", customer_id=account.customer_id)
    return render(
        request, "customers/pppoe_form.html", _form_context(form, account.customer, account)
    )


@org_permission_required("customers.manage")
def pppoe_delete(request, pppoeaccount_id):
    account = get_object_or_404(PppoeAccount.objects.select_related("customer"), pk=pppoeaccount_id)
    back = reverse("customers:detail", args=[account.customer_id])
    if request.method == "POST":
        services.pppoe_account_delete(account=account, actor=request.user)
        log_access(
            request,
            AccessLog.Action.CHANGE,
            target=account.customer,
            detail={"pppoe": "delete", "account": account.pk},
        )
        messages.success(
            request, _("PPPoE account removed; its secret is removed from the router.")
        )
        return redirect(back)
    return render(
        request,
        "customers/confirm.html",
        {
            "title": _("Remove PPPoE account"),
            "message": _(
                "Remove the PPPoE account %(u)s of %(name)s? The secret is deleted from the "
                "router and any connection is cut."
            )
            % {"u": account.username, "name": account.customer.name},
            "confirm_label": _("Remove account"),
            "danger": True,
            "cancel_href": back,
        },
    )


@require_POST
@org_permission_required("customers.manage")
def pppoe_password(request, pppoeaccount_id):
    """Shows the password once, on request (htmx), and logs that it was seen."""
    account = get_object_or_404(PppoeAccount, pk=pppoeaccount_id)
    log_access(request, AccessLog.Action.VIEW, target=account, detail={"field": "password"})
    return render(request, "customers/_pppoe_password.html", {"account": account})


@require_POST
@org_permission_required("customers.manage")
def pppoe_sync(request, pppoeaccount_id):
    """Sync now, while the operator waits (the router answers within its timeout)."""
    account = get_object_or_404(PppoeAccount.objects.select_related("router"), pk=pppoeaccount_id)
    if account.router is None:
        messages.error(request, _("Choose a router for this account first."))
    else:
        report = services.pppoe_router_sync(router=account.router, account_ids=[account.pk])
        if account.pk in report.synced:
            messages.success(request, _("The router has the account as it should be."))
        else:
            messages.error(
                request,
                _("The router could not be updated: %(error)s")
                % {"error": report.failed.get(account.pk, _("unknown error"))},
            )
    return redirect("customers:detail", customer_id=account.customer_id)


@org_permission_required("customers.view")
def session_list(request, customer_id):
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    page = selectors.customer_sessions(
        customer=customer, per_page=50, after=request.GET.get("after") or None
    )
    log_access(request, AccessLog.Action.VIEW, target=customer, detail={"sessions": True})
    template = "customers/_session_rows.html" if request.htmx else "customers/session_list.html"
    return render(request, template, {"customer": customer, "sessions": page})

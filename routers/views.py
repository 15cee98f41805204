"""Router pages. Thin: parse input, call one service or selector, render.

Live parts (the router table, a router's status panel and session list)
refresh with htmx; every page also works as plain HTML.
"""

import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from privacy.access_log import access_log_record
from privacy.models import AccessLog
from routers import selectors, services
from routers.charts import RANGES, router_charts
from routers.forms import ConnectionTestForm, RouterFilterForm, RouterForm, SessionSearchForm
from routers.models import ActiveSession, Router, RouterEvent
from routers.routeros import RouterError

ROUTERS_PER_PAGE = 50
SESSIONS_PER_PAGE = 50
EVENTS_PER_PAGE = 50


def _page(request, queryset, per_page):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _querystring(data: dict) -> str:
    return urlencode({key: value for key, value in data.items() if value and key != "page"})


# ------------------------------------------------------------------- list
@org_permission_required("routers.view")
def router_list(request):
    sites = selectors.router_sites()
    form = RouterFilterForm(request.GET or None, sites=sites)
    filters = form.cleaned_data if form.is_valid() else {}
    routers = selectors.router_list(
        status=filters.get("status", ""), site=filters.get("site", ""), q=filters.get("q", "")
    )
    context = {
        "page_obj": _page(request, routers, ROUTERS_PER_PAGE),
        "summary": selectors.fleet_summary(),
        "filter_form": form,
        "querystring": _querystring(filters),
        "is_filtered": any(filters.values()),
        "can_manage": has_org_permission(request, "routers.manage"),
    }
    if request.htmx and request.htmx.target == "router-table":
        return render(request, "routers/_router_table.html", context)
    return render(request, "routers/router_list.html", context)


# ---------------------------------------------------------------- detail
def _sessions_context(request, router):
    form = SessionSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sessions = selectors.router_sessions(
        router=router, q=filters.get("q", ""), kind=filters.get("kind", "")
    )
    page = _page(request, sessions, SESSIONS_PER_PAGE)
    if page.object_list:
        # The list shows end customers' usernames, IPs and MACs.
        access_log_record(
            organization=request.organization,
            action=AccessLog.Action.VIEW,
            target_type="routers.ActiveSession",
            target_id=f"router:{router.pk}",
            request=request,
            detail={"sessions": len(page.object_list)},
        )
    return {
        "router": router,
        "page_obj": page,
        "session_form": form,
        "querystring": _querystring(filters),
        "can_manage": has_org_permission(request, "routers.manage"),
    }


def _chart_context(request, router):
    range_key = request.GET.get("range", "24h")
    if range_key not in RANGES:
        range_key = "24h"
    return {
        "router": router,
        "range": range_key,
        "ranges": list(RANGES),
        "charts": router_charts(
            router=router, range_key=range_key, time_zone=request.organization.time_zone
        ),
    }


@org_permission_required("routers.view")
def router_detail(request, router_id):
    router = get_object_or_404(Router, pk=router_id)
    context = {
        **_sessions_context(request, router),
        **_chart_context(request, router),
        "interfaces": selectors.router_interfaces(router=router),
        "events": selectors.router_events(router=router)[:10],
    }
    return render(request, "routers/router_detail.html", context)


@org_permission_required("routers.view")
def router_status(request, router_id):
    router = get_object_or_404(Router, pk=router_id)
    return render(
        request,
        "routers/_router_status.html",
        {
            "router": router,
            "can_manage": has_org_permission(request, "routers.manage"),
        },
    )


@org_permission_required("routers.view")
def router_sessions(request, router_id):
    router = get_object_or_404(Router, pk=router_id)
    return render(request, "routers/_session_table.html", _sessions_context(request, router))


@org_permission_required("routers.view")
def router_charts_view(request, router_id):
    router = get_object_or_404(Router, pk=router_id)
    return render(request, "routers/_charts.html", _chart_context(request, router))


# ---------------------------------------------------------------- writes
def _form_error(form, error: ApplicationError):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _connection_result(request, form, *, stored_password=""):
    """Try the form's connection settings; returns (ok, message)."""
    data = form.cleaned_data
    try:
        report = services.router_connection_test(
            host=data["host"],
            api_port=data["api_port"],
            username=data["username"],
            password=data.get("password") or stored_password,
            use_tls=data["use_tls"],
            verify_tls=data["verify_tls"],
        )
    except RouterError as error:
        return False, error.message
    return True, _(
        "Connected to %(identity)s (RouterOS %(version)s, %(board)s) — %(users)s user(s) online."
    ) % {
        "identity": report.identity,
        "version": report.version,
        "board": report.board_name,
        "users": report.users_online,
    }


def _test_fragment(request, form, stored_password=""):
    if not form.is_valid():
        return render(
            request,
            "routers/_connection_result.html",
            {
                "ok": False,
                "message": _("Fix the connection fields first."),
                "errors": form.errors,
            },
        )
    ok, message = _connection_result(request, form, stored_password=stored_password)
    return render(request, "routers/_connection_result.html", {"ok": ok, "message": message})


@org_permission_required("routers.manage")
def router_create(request):
    form = RouterForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "test":
            ok, message = _connection_result(request, form)
            result = {"ok": ok, "message": message}
        else:
            try:
                router = services.router_create(
                    organization=request.organization,
                    actor=request.user,
                    **form.service_fields(),
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Router “%(name)s” added.") % {"name": router.name})
                return redirect("routers:detail", router_id=router.pk)
    return render(
        request,
        "routers/router_form.html",
        {
            "form": form,
            "result": result,
            "sites": selectors.router_sites(),
            "test_url": reverse("routers:test_new"),
        },
    )


@require_POST
@org_permission_required("routers.manage")
def router_test_new(request):
    return _test_fragment(request, ConnectionTestForm(request.POST))


@org_permission_required("routers.manage")
def router_edit(request, router_id):
    router = get_object_or_404(Router, pk=router_id)
    form = RouterForm(request.POST or None, instance=router)
    result = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "test":
            ok, message = _connection_result(request, form, stored_password=router.password)
            result = {"ok": ok, "message": message}
        else:
            try:
                services.router_update(router=router, actor=request.user, **form.service_fields())
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Router settings saved."))
                return redirect("routers:detail", router_id=router.pk)
    return render(
        request,
        "routers/router_form.html",
        {
            "form": form,
            "router": router,
            "result": result,
            "sites": selectors.router_sites(),
            "test_url": reverse("routers:test_existing", args=[router.pk]),
        },
    )


@require_POST
@org_permission_required("routers.manage")
def router_test_existing(request, router_id):
    router = get_object_or_404(Router, pk=router_id)
    return _test_fragment(
        request, ConnectionTestForm(request.POST, instance=router), stored_password=router.password
    )


@org_permission_required("routers.manage")
def router_delete(request, router_id):
    router = get_object_or_404(Router, pk=router_id)
    if request.method == "POST":
        services.router_delete(router=router, actor=request.user)
        messages.success(request, _("Router “%(name)s” deleted.") % {"name": router.name})
        return redirect("routers:index")
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Delete router"),
            "message": _(
                "Delete “%(name)s”? Its status history, traffic charts and session list go with it. "
                "Nothing changes on the router itself."
            )
            % {"name": router.name},
            "confirm_label": _("Delete router"),
            "cancel_url": "routers:index",
        },
    )


@require_POST
@org_permission_required("routers.manage")
def router_test(request, router_id):
    """Poll now and show what the router said (stored like any poll)."""
    router = get_object_or_404(Router, pk=router_id)
    try:
        outcome = services.router_poll_now(router=router)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if outcome.ok:
            messages.success(request, _("Connected: %(summary)s.") % {"summary": outcome.message})
        else:
            messages.error(request, outcome.message)
    return redirect("routers:detail", router_id=router.pk)


@org_permission_required("routers.manage")
def session_disconnect(request, router_id, activesession_id):
    router = get_object_or_404(Router, pk=router_id)
    session = get_object_or_404(ActiveSession, pk=activesession_id, router=router)
    if request.method == "POST":
        try:
            ended_here = services.router_session_disconnect(
                router=router, session=session, actor=request.user
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            access_log_record(
                organization=request.organization,
                action=AccessLog.Action.CHANGE,
                target=session,
                request=request,
                detail={"action": "disconnect"},
            )
            if ended_here:
                messages.success(
                    request, _("%(user)s was disconnected.") % {"user": session.username}
                )
            else:
                messages.info(request, _("That session had already ended on the router."))
        return redirect(reverse("routers:detail", args=[router.pk]) + "#sessions")
    return render(
        request, "routers/session_disconnect.html", {"router": router, "session": session}
    )


# ---------------------------------------------------------- other pages
@org_permission_required("routers.view")
def event_list(request):
    kind = request.GET.get("kind", "")
    if kind not in RouterEvent.Kind.values:
        kind = ""
    events = selectors.router_events(kind=kind)
    return render(
        request,
        "routers/event_list.html",
        {
            "page_obj": _page(request, events, EVENTS_PER_PAGE),
            "kind": kind,
            "kinds": RouterEvent.Kind.choices,
            "querystring": _querystring({"kind": kind}),
        },
    )


@org_permission_required("routers.view")
def setup_guide(request):
    return render(
        request,
        "routers/setup_guide.html",
        {
            "suggested_password": secrets.token_urlsafe(18),
        },
    )

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_POST

from insights.analytics import MAX_DURATION_MS, record_event
from insights.charts import bar_list, column_chart
from insights.models import AnalyticsEvent
from insights.selectors import usage_overview


@require_POST
def beacon(request):
    """Time on page, sent by ``navigator.sendBeacon`` when a page is left."""
    path = request.POST.get("path", "")[:300]
    try:
        duration = int(request.POST.get("ms", ""))
    except ValueError:
        return HttpResponseBadRequest("ms must be an integer")
    if not 0 < duration <= MAX_DURATION_MS or not path.startswith("/"):
        return HttpResponseBadRequest("out of range")
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return HttpResponseBadRequest("unknown page")
    record_event(
        request, kind=AnalyticsEvent.Kind.TIME_SPENT, name="/" + match.route, duration_ms=duration
    )
    return HttpResponse(status=204)


@staff_member_required
def staff_overview(request):
    days = 30
    overview = usage_overview(days=days)
    context = {
        "overview": overview,
        "orgs_chart": column_chart(overview["orgs_series"]),
        "logins_chart": column_chart(overview["logins_series"]),
        "features": bar_list(
            [(row["name"], row["orgs"]) for row in overview["features"]],
            total=overview["active_orgs"],
        ),
        "title": "Usage insights",
    }
    return render(request, "insights/staff_overview.html", context)

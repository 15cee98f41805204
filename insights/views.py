from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_POST

from insights.analytics import MAX_DURATION_MS, record_event
from insights.models import AnalyticsEvent
from insights.selectors import usage_overview
from nettportal.charts import PERCENT, Series, bar_chart, hbar_chart


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
    active = overview["active_orgs"] or 1
    features = overview["features"]
    context = {
        "overview": overview,
        "orgs_chart": _daily_chart("Active organisations per day", overview["orgs_series"]),
        "logins_chart": _daily_chart("Logins per day", overview["logins_series"]),
        "features_chart": hbar_chart(
            key="features",
            title="Feature adoption (share of active organisations)",
            labels=[row["name"] for row in features],
            values=[round(100 * row["orgs"] / active) for row in features],
            unit=PERCENT,
            notes=[
                f"{row['orgs']} organisation{'s' if row['orgs'] != 1 else ''}" for row in features
            ],
            notes_header="Organisations",
            x_header="Feature",
            limit=len(features),
            width=640,
            max_label=32,
            empty_text="No feature events yet.",
        ),
        "title": "Usage insights",
    }
    return render(request, "insights/staff_overview.html", context)


def _daily_chart(title: str, points: list[tuple[str, int]]):
    return bar_chart(
        key=title,
        title=title,
        labels=[label for label, _value in points],
        series=[Series(title, [value for _label, value in points])],
        x_header="Day",
        empty_text="No activity in this period.",
    )

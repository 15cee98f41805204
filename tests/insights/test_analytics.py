import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant
from insights.analytics import track_feature
from insights.models import AnalyticsEvent, DailyUsage, RequestLog
from insights.services import daily_usage_aggregate
from privacy.services.retention import retention_sweep
from tests.accounts.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def consent(client, value="analytics=1"):
    client.cookies["np_consent"] = value


def test_no_consent_no_analytics(client_a, org_a):
    client_a.get(reverse("dashboard"))
    client_a.get(reverse("support:index"))
    with all_tenants():
        assert not AnalyticsEvent.objects.exists()
    assert "js/insights.js" not in client_a.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("cookie", ["analytics=0", "necessary=1", "analytics=10", ""])
def test_only_an_explicit_yes_counts(client_a, org_a, cookie):
    consent(client_a, cookie)
    client_a.get(reverse("support:index"))
    with all_tenants():
        assert not AnalyticsEvent.objects.exists()


def test_consented_page_views_store_route_patterns_not_paths(client_a, org_a, owner_a):
    consent(client_a, "necessary=1&analytics=1")
    from tests.support.factories import TicketFactory

    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a)
    client_a.get(reverse("support:ticket_detail", args=[ticket.pk]) + "?q=secret@example.com")
    page = client_a.get(reverse("dashboard")).content.decode()
    assert "js/insights.js" in page  # the time-on-page beacon is loaded with consent
    with tenant(org_a):
        names = list(AnalyticsEvent.objects.order_by("id").values_list("kind", "name", "user"))
    assert names == [
        ("page_view", "/support/<int:ticket_id>/", owner_a.pk),
        ("page_view", "/dashboard/", owner_a.pk),
    ]


def test_time_on_page_beacon(client_a, org_a):
    consent(client_a)
    response = client_a.post(reverse("insights:beacon"), {"path": "/support/12/", "ms": "8300"})
    assert response.status_code == 204
    for bad in (
        {"path": "/support/", "ms": "-1"},
        {"path": "/nowhere/x/", "ms": "5"},
        {"path": "/support/", "ms": "lots"},
    ):
        assert client_a.post(reverse("insights:beacon"), bad).status_code == 400
    with tenant(org_a):
        event = AnalyticsEvent.objects.get(kind="time_spent")
    assert (event.name, event.duration_ms) == ("/support/<int:ticket_id>/", 8300)


def test_feature_events_and_login(client, rf, org_a, owner_a):
    request = rf.get("/")
    request.user, request.organization = owner_a, org_a
    request.COOKIES["np_consent"] = "analytics=1"
    with tenant(org_a):
        track_feature(request, "support.ticket_opened")
        with pytest.raises(ValueError, match="feature names"):
            track_feature(request, "Not A Name")
    consent(client)
    client.post(reverse("account_login"), {"login": owner_a.email, "password": TEST_PASSWORD})
    with tenant(org_a):
        kinds = sorted(AnalyticsEvent.objects.values_list("kind", flat=True))
    assert kinds == ["feature", "login"]
    assert RequestLog.objects.filter(kind="login", user=owner_a).exists()


def test_daily_aggregation_is_idempotent(org_a, org_b, owner_a, owner_b):
    yesterday = timezone.now() - dt.timedelta(days=1)
    with tenant(org_a):
        for _ in range(3):
            AnalyticsEvent.objects.create(
                organization=org_a, user=owner_a, kind="feature", name="vouchers.printed"
            )
        AnalyticsEvent.objects.create(
            organization=org_a, user=owner_a, kind="time_spent", name="/x/", duration_ms=500
        )
    with tenant(org_b):
        AnalyticsEvent.objects.create(
            organization=org_b, user=owner_b, kind="feature", name="vouchers.printed"
        )
    with all_tenants():
        AnalyticsEvent.objects.update(at=yesterday)
    day = yesterday.date()
    assert daily_usage_aggregate(day=day) == 3
    assert daily_usage_aggregate(day=day) == 3
    with all_tenants():
        row = DailyUsage.objects.get(organization=org_a, kind="feature")
        assert (row.events, row.users) == (3, 1)
        assert DailyUsage.objects.get(kind="time_spent").total_duration_ms == 500
        assert DailyUsage.objects.count() == 3


def test_staff_page_charts_and_refuses_members(client, client_a, org_a, owner_a):
    with tenant(org_a):
        DailyUsage.objects.create(
            organization=org_a,
            day=timezone.now().date(),
            kind="login",
            name="login",
            events=4,
            users=2,
        )
        DailyUsage.objects.create(
            organization=org_a,
            day=timezone.now().date(),
            kind="feature",
            name="routers.tested",
            events=9,
            users=1,
        )
    assert client_a.get(reverse("insights:staff_overview")).status_code == 302  # to admin login
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    page = client.get(reverse("insights:staff_overview")).content.decode()
    assert "<svg" in page
    assert "routers.tested" in page
    assert "100%" in page


def test_burst_of_failed_logins_alerts_staff_once(client, settings, db, on_commit):
    settings.SECURITY_ALERT_THRESHOLD = 5
    staff = UserFactory(is_staff=True, email="security@nettportal.test")
    users = [UserFactory() for _ in range(8)]  # password spraying across accounts
    with on_commit():
        for user in users:
            client.post(
                reverse("account_login"), {"login": user.email, "password": "wrong-password"}
            )
    assert RequestLog.objects.filter(kind="login_failed").count() == 8
    alerts = [m for m in mail.outbox if "Security alert" in m.subject]
    assert len(alerts) == 1
    assert alerts[0].to == [staff.email]
    assert all(user.email not in alerts[0].body for user in users)  # no attempted accounts
    assert RequestLog.objects.filter(kind="alert").count() == 1


def test_api_auth_failures_alert_staff(client, settings, db, on_commit):
    settings.SECURITY_ALERT_THRESHOLD = 3
    UserFactory(is_staff=True)
    with on_commit():
        for _ in range(4):
            client.get("/api/v1/organization/", HTTP_AUTHORIZATION="Bearer np_guess_guess")
    assert sum("Security alert" in m.subject for m in mail.outbox) == 1


def test_request_log_records_actions_and_refusals(client_a, org_a, owner_a):
    client_a.post(reverse("notifications:read_all"))
    entry = RequestLog.objects.get(kind="request")
    assert (entry.method, entry.path, entry.status_code, entry.user, entry.organization) == (
        "POST",
        "/notifications/read-all/",
        302,
        owner_a,
        org_a,
    )
    assert entry.ip_address == "127.0.0.1"
    client_a.get(reverse("insights:staff_overview"))  # members are redirected, not logged as denied
    client_a.get("/api/v1/organization/", HTTP_AUTHORIZATION="Bearer np_x_y")
    assert RequestLog.objects.filter(kind="denied", status_code=401).exists()


def test_retention_sweep_applies_the_analytics_and_security_log_periods(
    org_a, org_b, owner_a, owner_b, settings
):
    settings.ANALYTICS_RAW_RETENTION_DAYS = 10
    settings.SECURITY_LOG_RETENTION_DAYS = 20
    events = {}
    for org, owner in ((org_a, owner_a), (org_b, owner_b)):
        with tenant(org):
            events[org.pk, "old"] = AnalyticsEvent.objects.create(
                organization=org, user=owner, kind="login", name="login"
            )
            events[org.pk, "young"] = AnalyticsEvent.objects.create(
                organization=org, user=owner, kind="login", name="login"
            )
    with all_tenants():
        AnalyticsEvent.objects.filter(
            pk__in=[events[org_a.pk, "old"].pk, events[org_b.pk, "old"].pk]
        ).update(at=timezone.now() - dt.timedelta(days=11))
        AnalyticsEvent.objects.filter(pk=events[org_b.pk, "young"].pk).update(
            at=timezone.now() - dt.timedelta(days=9)
        )
    RequestLog.objects.create(kind="login")
    RequestLog.objects.update(at=timezone.now() - dt.timedelta(days=15))

    purged = retention_sweep()["purged"]

    assert purged["insights.AnalyticsEvent"] == 2
    assert "insights.RequestLog" not in purged
    with all_tenants():
        assert set(AnalyticsEvent.objects.values_list("pk", flat=True)) == {
            events[org_a.pk, "young"].pk,
            events[org_b.pk, "young"].pk,
        }
    RequestLog.objects.update(at=timezone.now() - dt.timedelta(days=21))
    assert retention_sweep()["purged"]["insights.RequestLog"] == 1
    assert not RequestLog.objects.exists()


def test_request_log_never_keeps_a_secret_from_the_url(client, org_a):
    # given an invitation link, whose token is the capability to join org A
    secret = "s3cr3t-invitation-token-value"

    # when someone opens it with a state-changing request
    client.post(reverse("invitation_accept", args=[secret]))

    # then the log has the route's shape, not the token
    (entry,) = RequestLog.objects.filter(kind__in=["request", "denied"])
    assert entry.path == "/invitations/accept/<token>/"
    assert not RequestLog.objects.filter(path__contains=secret).exists()

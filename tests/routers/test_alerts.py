"""Going offline and coming back drive webhooks at once and notifications after
ROUTER_OFFLINE_ALERT_MINUTES (one per outage, plus the all-clear)."""

from datetime import timedelta

import pytest
from django.core import mail

from accounts.tenancy import tenant
from integrations.models import WebhookDelivery
from notifications.models import Notification
from routers.models import Router
from routers.polling import poll_routers
from tests.integrations.factories import make_endpoint

pytestmark = pytest.mark.django_db


def backdate_outage(router, minutes):
    """Pretend the router went offline ``minutes`` ago (and may be polled now)."""
    with tenant(router.organization):
        stored = Router.objects.get(pk=router.pk)
        Router.objects.filter(pk=router.pk).update(
            status_changed_at=stored.status_changed_at - timedelta(minutes=minutes),
            next_poll_at=None,
        )


def notifications(org, event):
    with tenant(org):
        return list(Notification.objects.filter(event=event))


def test_webhooks_fire_when_a_router_goes_offline_and_comes_back(
    sim_router, sim_fleet, org_a, owner_a, on_commit
):
    make_endpoint(
        org_a, owner_a, "https://hooks.example.test/np", events=("router.offline", "router.online")
    )
    router = sim_router(org_a, name="Hooked")
    with on_commit():
        poll_routers([router.pk])  # unknown → online: not a "came back"
    sim_fleet.take_down(router.sim)
    with on_commit():
        poll_routers([router.pk])
        poll_routers([router.pk], force=True)  # still offline: no second webhook
    sim_fleet.bring_up(router.sim)
    with on_commit():
        poll_routers([router.pk], force=True)

    with tenant(org_a):
        deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [d.event for d in deliveries] == ["router.offline", "router.online"]
    offline = deliveries[0].payload
    assert offline["router"] == {"id": router.pk, "name": "Hooked", "site": ""}
    assert (offline["status"], offline["previous_status"]) == ("offline", "online")
    assert "refused the connection" in offline["reason"]
    assert "password" not in str(offline).lower()


def test_members_are_told_after_the_alert_delay_once_and_when_it_is_back(
    sim_router, sim_fleet, org_a, owner_a, on_commit, settings
):
    settings.ROUTER_OFFLINE_ALERT_MINUTES = 5
    router = sim_router(org_a, name="Alerting")
    poll_routers([router.pk])
    sim_fleet.take_down(router.sim)

    with on_commit():
        poll_routers([router.pk])
    assert notifications(org_a, "router.offline") == []  # a blip is not worth an email

    backdate_outage(router, 7)
    with on_commit():
        poll_routers([router.pk], force=True)
        poll_routers([router.pk], force=True)  # later polls of the same outage stay quiet
    (notice,) = notifications(org_a, "router.offline")
    assert notice.recipient == owner_a
    assert "Alerting" in notice.title
    assert any("has not answered for 7 minutes" in m.body for m in mail.outbox)

    sim_fleet.bring_up(router.sim)
    with on_commit():
        poll_routers([router.pk], force=True)
    assert len(notifications(org_a, "router.online")) == 1
    with tenant(org_a):
        assert Router.objects.get(pk=router.pk).offline_notified_at is None


def test_login_refused_is_not_reported_as_offline(sim_router, org_a, owner_a, on_commit, settings):
    settings.ROUTER_OFFLINE_ALERT_MINUTES = 0
    router = sim_router(org_a, reject_logins=True)
    with on_commit():
        poll_routers([router.pk])
    assert notifications(org_a, "router.offline") == []

import json
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant
from integrations.delivery import delivery_attempt
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import (
    webhook_delivery_claim,
    webhook_delivery_resend,
    webhook_emit,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_subscriptions_changed,
)
from integrations.signing import SignatureError, signature_header, verify_signature
from integrations.tasks import retry_due_webhooks_task
from nettportal.errors import ValidationFailed
from tests.integrations.factories import make_endpoint
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.django_db


def test_emitted_event_is_delivered_signed_after_commit(org_a, owner_a, on_commit):
    with Receiver() as receiver:
        endpoint = make_endpoint(org_a, owner_a, receiver.url)
        with tenant(org_a), on_commit():
            webhook_emit(organization=org_a, event="router.offline", payload={"router_id": 5})
            assert receiver.requests == []  # nothing leaves before the commit
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    body = request["body"]
    document = json.loads(body)
    assert document["event"] == "router.offline"
    assert document["data"] == {"router_id": 5}
    assert request["headers"]["x-nettportal-event"] == "router.offline"
    assert verify_signature(endpoint.secret, body, request["headers"]["x-nettportal-signature"])
    with tenant(org_a):
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.SUCCEEDED
        assert delivery.attempts == 1
        assert str(delivery.event_id) == document["id"]
        assert WebhookAttempt.objects.get().status_code == 200


def test_rolled_back_change_sends_nothing(org_a, owner_a):
    with Receiver() as receiver:
        make_endpoint(org_a, owner_a, receiver.url)
        with tenant(org_a):

            def failing_change():
                with transaction.atomic():
                    webhook_emit(organization=org_a, event="router.offline", payload={})
                    raise RuntimeError("the caller failed")

            with pytest.raises(RuntimeError):
                failing_change()
            assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_only_subscribed_endpoints_with_the_granted_scope_receive(
    org_a, org_b, owner_a, owner_b, on_commit
):
    with Receiver() as receiver:
        subscribed = make_endpoint(org_a, owner_a, receiver.url)
        make_endpoint(
            org_a,
            owner_a,
            receiver.url + "?other",
            events=["customer.created"],
            scopes=["customers:read"],
        )
        make_endpoint(org_b, owner_b, receiver.url + "?b")  # another tenant's endpoint
        with tenant(org_a):
            # the operator later withdraws the scope from this endpoint
            narrowed = make_endpoint(org_a, owner_a, receiver.url + "?narrowed")
            WebhookEndpoint.objects.filter(pk=narrowed.pk).update(scopes=[])
            webhook_subscriptions_changed(org_a.pk)  # update() sends no signal
            with on_commit():
                deliveries = webhook_emit(organization=org_a, event="router.offline", payload={})
    assert [d.endpoint_id for d in deliveries] == [subscribed.pk]
    assert [r["headers"]["host"] for r in receiver.requests]
    assert len(receiver.requests) == 1


def test_subscription_needs_the_events_scope():
    from integrations.services import _check_subscription

    with pytest.raises(ValidationFailed, match="routers:read"):
        _check_subscription(["router.offline"], ["customers:read"])


def test_failures_retry_with_backoff_then_resend(org_a, owner_a, on_commit):
    with Receiver(statuses=[500, 503]) as receiver:
        make_endpoint(org_a, owner_a, receiver.url)
        with tenant(org_a):
            with on_commit():
                webhook_emit(organization=org_a, event="router.offline", payload={"n": 1})
            delivery = WebhookDelivery.objects.get()
            # then it waits ~30 s before the second try
            assert delivery.status == WebhookDelivery.Status.RETRYING
            wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
            assert 20 < wait < 40
            assert delivery_attempt(delivery.pk) == "skipped"  # not due yet
            # when the time comes, the second try fails again and waits ~60 s
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            assert delivery_attempt(delivery.pk) == "retrying"
            delivery.refresh_from_db()
            assert 45 < (delivery.next_attempt_at - timezone.now()).total_seconds() < 75
            # and the third try succeeds
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            assert retry_due_webhooks_task() == 1
            delivery.refresh_from_db()
            assert delivery.status == WebhookDelivery.Status.SUCCEEDED
            assert list(WebhookAttempt.objects.values_list("status_code", flat=True)) == [
                500,
                503,
                200,
            ]
            # resend delivers the same event id once more
            with on_commit():
                webhook_delivery_resend(delivery=delivery, actor=owner_a)
    ids = {json.loads(r["body"])["id"] for r in receiver.requests}
    assert len(receiver.requests) == 4
    assert len(ids) == 1


def test_gives_up_after_the_retry_window(org_a, owner_a, on_commit):
    with Receiver(default_status=500) as receiver:
        make_endpoint(org_a, owner_a, receiver.url)
        with tenant(org_a):
            with on_commit():
                webhook_emit(organization=org_a, event="router.offline", payload={})
            delivery = WebhookDelivery.objects.get()
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                next_attempt_at=timezone.now(), give_up_at=timezone.now() + timedelta(seconds=5)
            )
            assert delivery_attempt(delivery.pk) == "failed"
            delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.give_up_at - delivery.created_at <= timedelta(hours=24, seconds=5)


def test_unreachable_receiver_is_recorded_not_raised(org_a, owner_a, on_commit):
    endpoint = make_endpoint(org_a, owner_a, "http://127.0.0.1:9/closed")
    with tenant(org_a), on_commit():
        webhook_emit(organization=org_a, event="router.offline", payload={})
    with tenant(org_a):
        attempt = WebhookAttempt.objects.get()
        assert attempt.status_code is None
        assert "Error" in attempt.error
        assert WebhookDelivery.objects.get(endpoint=endpoint).status == "retrying"


def test_signature_replay_window_and_tampering():
    body = b'{"event":"payment.paid"}'
    now = time.time()
    header = signature_header("whsec_x", body, timestamp=int(now))
    assert verify_signature("whsec_x", body, header, now=now) == int(now)
    with pytest.raises(SignatureError, match="replay"):
        verify_signature("whsec_x", body, header, now=now + 301)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature("whsec_x", body + b" ", header, now=now)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature("whsec_other", body, header, now=now)
    with pytest.raises(SignatureError):
        verify_signature("whsec_x", body, "v1=abc", now=now)


def test_private_targets_are_refused_in_production(org_a, owner_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    with tenant(org_a), pytest.raises(ValidationFailed, match="private"):
        webhook_endpoint_create(
            organization=org_a,
            actor=owner_a,
            url="http://127.0.0.1:8000/x",
            events=["router.offline"],
            scopes=["routers:read"],
        )


def test_dashboard_create_test_event_and_delivery_log(client_a, org_a, on_commit):
    with Receiver() as receiver:
        response = client_a.post(
            reverse("integrations:webhook_create"),
            {
                "url": receiver.url,
                "events": ["payment.paid"],
                "scopes": ["billing:read"],
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        with tenant(org_a):
            endpoint = WebhookEndpoint.objects.get()
        with on_commit():
            client_a.post(reverse("integrations:webhook_test", args=[endpoint.pk]))
    page = client_a.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).content.decode()
    assert "webhook.test" in page
    assert "Delivered" in page
    assert json.loads(receiver.requests[0]["body"])["event"] == "webhook.test"
    bad = client_a.post(
        reverse("integrations:webhook_create"),
        {"url": "https://example.test/x", "events": ["payment.paid"], "scopes": ["routers:read"]},
    )
    assert "billing:read" in bad.content.decode()
    with tenant(org_a):
        assert WebhookEndpoint.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not django_settings.IS_POSTGRES, reason="needs PostgreSQL row locking")
def test_two_workers_never_send_one_delivery_twice(org_a, owner_a):
    endpoint = make_endpoint(org_a, owner_a, "http://127.0.0.1:9/x")
    with tenant(org_a):
        delivery = WebhookDelivery.objects.create(
            organization=org_a,
            endpoint=endpoint,
            event="router.offline",
            payload={},
            next_attempt_at=timezone.now(),
            give_up_at=timezone.now() + timedelta(hours=1),
        )
    results, barrier = [], threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            with all_tenants():
                results.append(webhook_delivery_claim(delivery.pk, lease_seconds=60))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    with all_tenants():
        assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 1


def test_cached_subscriptions_follow_endpoint_changes(org_a, owner_a, on_commit):
    """Nobody listening is cached; creating, narrowing, re-enabling and deleting an
    endpoint each take effect on the very next event."""
    with Receiver() as receiver, tenant(org_a):
        with on_commit():
            assert webhook_emit(organization=org_a, event="router.offline", payload={}) == []
        endpoint = make_endpoint(org_a, owner_a, receiver.url)
        with on_commit():
            delivered = webhook_emit(organization=org_a, event="router.offline", payload={})
        assert [d.endpoint_id for d in delivered] == [endpoint.pk]

        webhook_endpoint_update(
            endpoint=endpoint,
            actor=owner_a,
            url=endpoint.url,
            events=["customer.created"],
            scopes=["customers:read"],
        )
        with on_commit():
            assert webhook_emit(organization=org_a, event="router.offline", payload={}) == []

        endpoint.events, endpoint.scopes = ["router.offline"], ["routers:read"]
        endpoint.save()  # as the admin saves it
        with on_commit():
            delivered = webhook_emit(organization=org_a, event="router.offline", payload={})
        assert [d.endpoint_id for d in delivered] == [endpoint.pk]

        webhook_endpoint_delete(endpoint=endpoint, actor=owner_a)
        with on_commit():
            assert webhook_emit(organization=org_a, event="router.offline", payload={}) == []
        assert WebhookDelivery.objects.count() == 0  # the endpoint's deliveries went with it


def test_subscription_cache_is_per_organisation(org_a, org_b, owner_a, owner_b, on_commit):
    with Receiver() as receiver:
        with tenant(org_b), on_commit():
            assert webhook_emit(organization=org_b, event="router.offline", payload={}) == []
        make_endpoint(org_a, owner_a, receiver.url)
        with tenant(org_b), on_commit():
            assert webhook_emit(organization=org_b, event="router.offline", payload={}) == []
        with tenant(org_a), on_commit():
            assert len(webhook_emit(organization=org_a, event="router.offline", payload={})) == 1


def test_events_still_go_out_when_the_cache_is_down(org_a, owner_a, on_commit, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    with Receiver() as receiver, tenant(org_a):
        endpoint = make_endpoint(org_a, owner_a, receiver.url)
        for name in ("get", "set", "delete"):
            monkeypatch.setattr(cache, name, down)
        with on_commit():
            delivered = [
                d.endpoint_id
                for d in webhook_emit(organization=org_a, event="router.offline", payload={})
            ]
        assert delivered == [endpoint.pk]
        webhook_endpoint_delete(endpoint=endpoint, actor=owner_a)  # forgetting fails quietly


def test_another_process_sees_a_new_subscription_within_seconds(org_a, owner_a, on_commit):
    """Each process keeps "nobody listens" for a few seconds; a change made in another
    process (which clears only the shared cache) reaches it when that copy expires."""
    from integrations import services

    with Receiver() as receiver, tenant(org_a):
        endpoint = make_endpoint(org_a, owner_a, receiver.url)
        # as if this process had looked just before another process created the endpoint
        services._local_subscribed[org_a.pk] = (time.monotonic(), frozenset())
        with on_commit():
            assert webhook_emit(organization=org_a, event="router.offline", payload={}) == []

        # the same copy, SUBSCRIBED_EVENTS_LOCAL_TTL later
        expired = time.monotonic() - services.SUBSCRIBED_EVENTS_LOCAL_TTL - 0.1
        services._local_subscribed[org_a.pk] = (expired, frozenset())
        with on_commit():
            delivered = webhook_emit(organization=org_a, event="router.offline", payload={})
    assert [d.endpoint_id for d in delivered] == [endpoint.pk]

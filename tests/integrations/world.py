from django.utils import timezone

from accounts.roles import Role
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.scopes import ALL_SCOPES
from integrations.services import api_token_create


def build(world):
    owner = world.users[Role.OWNER]
    token, plaintext = api_token_create(
        organization=world.organization,
        actor=owner,
        name=f"Sync {world.marker}",
        scopes=list(ALL_SCOPES),
    )
    world.api_token = plaintext  # the isolation walk uses A's token against B's ids
    endpoint = WebhookEndpoint.objects.create(
        organization=world.organization,
        url="http://127.0.0.1:9/hook",
        description=f"Hook {world.marker}",
        events=["router.offline"],
        scopes=["routers:read"],
        secret="whsec_test",
        created_by=owner,
    )
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        organization=world.organization,
        endpoint=endpoint,
        event="router.offline",
        payload={"router": world.marker},
        status=WebhookDelivery.Status.FAILED,
        give_up_at=now,
        attempts=1,
    )
    attempt = WebhookAttempt.objects.create(
        organization=world.organization,
        delivery=delivery,
        number=1,
        status_code=500,
        response_excerpt=world.marker,
    )
    world.add(token, endpoint, delivery, attempt)
    world.post_data.update(
        {"url": "http://127.0.0.1:9/hijack", "events": "router.offline", "scopes": "routers:read"}
    )

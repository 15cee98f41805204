from datetime import timedelta
from importlib import import_module

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.utils import timezone

from accounts.models import Invitation, KnownDevice
from accounts.roles import Role


def build(world):
    owner = world.users[Role.OWNER]
    slug = world.marker.lower()
    world.add(
        Invitation.objects.create(
            organization=world.organization,
            email=f"invitee-{slug}@example.test",
            role=Role.SUPPORT,
            invited_by=owner,
            expires_at=timezone.now() + timedelta(days=7),
        )
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(owner.pk)
    store.create()
    world.add(
        UserSession.objects.create(
            user=owner,
            session_key=store.session_key,
            ip="10.9.9.9",
            user_agent=f"Mozilla/5.0 (X11; Linux x86_64) {world.marker}",
        ),
        KnownDevice.objects.create(user=owner, fingerprint=f"fp-{slug}", label=world.marker),
    )
    world.post_data.update({"role": Role.VIEWER})

"""``notify`` — the one way apps tell an organisation's members something.

    from notifications.services import notify

    notify(
        organization=router.organization,
        event="router.offline",
        context={"router": router, "minutes": 12},
        url=reverse("routers:detail", args=[router.pk]),
    )

Recipients default to every member whose role has the event's permission;
pass ``recipients=[user, ...]`` to narrow it (e.g. the person who asked for an
export) and ``actor=`` to leave out the person who caused the event, and
``emails=[...]`` for people who are no longer members (the owners of an
organisation whose deletion has just run): they get the email only. Call it
inside the caller's transaction, with the organisation active as tenant: in-app
rows commit with it and emails are sent after commit, so a rolled-back action
tells nobody.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import role_has_permission
from nettportal.mail import send_email
from notifications.models import Notification, NotificationPreference
from notifications.types import notification_type, operational_types


def _default_recipients(organization, permission):
    memberships = Membership.objects.filter(
        organization=organization, user__is_active=True
    ).select_related("user")
    return [m.user for m in memberships if role_has_permission(m.role, permission)]


@transaction.atomic(savepoint=False)  # callers are in a transaction: no savepoint round trips
def notify(
    *,
    organization,
    event: str,
    context: dict | None = None,
    url: str = "",
    recipients=None,
    actor=None,
    emails=(),
) -> dict:
    """Notify members of ``organization`` about ``event``; returns counts sent."""
    kind = notification_type(event)
    context = {"organization": organization, **(context or {})}
    if recipients is None:
        recipients = _default_recipients(organization, kind.permission)
    elif recipients:
        member_ids = set(
            Membership.objects.filter(organization=organization).values_list("user_id", flat=True)
        )
        recipients = [user for user in recipients if user.pk in member_ids]
    if actor is not None:
        recipients = [user for user in recipients if user.pk != actor.pk]
    recipients = list({user.pk: user for user in recipients}.values())
    choices = {}
    if kind.operational and recipients:
        choices = {
            pref.user_id: pref
            for pref in NotificationPreference.objects.filter(
                organization=organization, event=event, user__in=recipients
            )
        }
    title = " ".join(render_to_string(f"emails/{kind.template}_subject.txt", context).split())[:200]
    absolute_url = settings.SITE_URL + url if url.startswith("/") else url
    in_app, emails_sent = [], 0
    for user in recipients:
        choice = choices.get(user.pk)
        wants_in_app = choice.in_app if choice else kind.in_app
        wants_email = choice.email if choice else kind.email
        if kind.in_app and wants_in_app:
            in_app.append(
                Notification(
                    organization=organization, recipient=user, event=event, title=title, url=url
                )
            )
        if wants_email and user.email:
            send_email(
                to=user.email,
                template=kind.template,
                context={
                    **context,
                    "recipient": user,
                    "url": absolute_url,
                    "optional": kind.operational,
                    "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
                },
            )
            emails_sent += 1
    known = {user.email.casefold() for user in recipients if user.email}
    for address in sorted({address for address in emails if address}, key=str.casefold):
        if address.casefold() in known:
            continue
        known.add(address.casefold())
        send_email(
            to=address,
            template=kind.template,
            context={**context, "recipient": None, "url": absolute_url, "optional": False},
        )
        emails_sent += 1
    Notification.objects.bulk_create(in_app)
    return {"in_app": len(in_app), "emails": emails_sent}


@transaction.atomic
def notification_mark_read(*, notification: Notification, user) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_mark_all_read(*, organization, user) -> int:
    return Notification.objects.filter(
        organization=organization, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, organization, user, choices: dict) -> None:
    """``choices``: ``{event: {"email": bool, "in_app": bool}}`` for operational events."""
    allowed = {kind.event for kind in operational_types()}
    unknown = set(choices) - allowed
    if unknown:
        raise ValueError(f"not operational alerts: {sorted(unknown)}")
    for event, choice in choices.items():
        NotificationPreference.objects.update_or_create(
            organization=organization,
            user=user,
            event=event,
            defaults={"email": bool(choice["email"]), "in_app": bool(choice["in_app"])},
        )

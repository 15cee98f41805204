"""Marketing consent (opt-in, history, one-click unsubscribe) and cookie consent.

Marketing email goes only to users with a granted :class:`MarketingConsent`
for the campaign's topic; every message carries a signed unsubscribe link and
the RFC 8058 ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers, so a
mail client can unsubscribe with one POST and no login.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nettportal.errors import Conflict, ValidationFailed
from nettportal.mail import enqueue_message, render_email
from privacy.models import ConsentEvent, MarketingCampaign, MarketingConsent, Topic
from privacy.models.consent import MARKETING_TOPICS

logger = logging.getLogger(__name__)

_UNSUBSCRIBE_SALT = "privacy.unsubscribe"


# --- marketing consent ------------------------------------------------------------------------


@transaction.atomic
def consent_set(
    *, user, topic: str, granted: bool, source: str, ip_address: str | None = None
) -> bool:
    """Set one choice; records history when it changes. Returns True if changed."""
    if topic not in Topic.values:
        raise ValidationFailed(_("Unknown consent topic."))
    if source not in ConsentEvent.Source.values:
        raise ValidationFailed(_("Unknown consent source."))
    now = timezone.now()
    if topic in MARKETING_TOPICS:
        consent, created = MarketingConsent.objects.select_for_update().get_or_create(
            user=user, topic=topic, defaults={"is_granted": granted, "changed_at": now}
        )
        if not created:
            if consent.is_granted == granted:
                return False
            consent.is_granted = granted
            consent.changed_at = now
            consent.save(update_fields=["is_granted", "changed_at"])
        elif not granted:
            return False  # no row already meant "no consent"
    ConsentEvent.objects.create(
        user=user, topic=topic, is_granted=granted, source=source, ip_address=ip_address, at=now
    )
    return True


@transaction.atomic
def marketing_preferences_save(
    *, user, choices: dict[str, bool], source: str, ip_address: str | None
) -> list[str]:
    changed = []
    for topic in MARKETING_TOPICS:
        if topic in choices and consent_set(
            user=user,
            topic=topic,
            granted=bool(choices[topic]),
            source=source,
            ip_address=ip_address,
        ):
            changed.append(topic)
    return changed


def unsubscribe_token(user, topic: str) -> str:
    """Signed, no expiry: an unsubscribe link must keep working."""
    return signing.dumps({"u": user.pk, "t": topic}, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_url(user, topic: str) -> str:
    path = reverse("privacy:unsubscribe")
    return f"{settings.SITE_URL}{path}?t={unsubscribe_token(user, topic)}"


def unsubscribe_from_token(token: str):
    """(user, topic) for a valid link, else ValidationFailed."""
    from accounts.models import User

    try:
        data = signing.loads(token or "", salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ValidationFailed(_("This unsubscribe link is not valid.")) from None
    topic = data.get("t")
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None or topic not in MARKETING_TOPICS:
        raise ValidationFailed(_("This unsubscribe link is not valid."))
    return user, topic


def unsubscribe(*, token: str, one_click: bool, ip_address: str | None):
    user, topic = unsubscribe_from_token(token)
    consent_set(
        user=user,
        topic=topic,
        granted=False,
        source=ConsentEvent.Source.ONE_CLICK if one_click else ConsentEvent.Source.UNSUBSCRIBE_LINK,
        ip_address=ip_address,
    )
    return user, topic


def marketing_headers(user, topic: str) -> dict:
    """RFC 2369 / RFC 8058 headers for one recipient."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, topic)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def marketing_email_send(*, user, topic: str, subject: str, body: str) -> bool:
    """Send one marketing email, only if ``user`` opted in to ``topic``."""
    if topic not in MARKETING_TOPICS:
        raise ValidationFailed(_("Unknown marketing topic."))
    if not (
        user.is_active
        and MarketingConsent.objects.filter(user=user, topic=topic, is_granted=True).exists()
    ):
        return False
    message = render_email(
        "privacy/marketing",
        {
            "user": user,
            "subject": subject,
            "body": body,
            "topic_label": Topic(topic).label,
            "unsubscribe_url": unsubscribe_url(user, topic),
            "preferences_url": f"{settings.SITE_URL}{reverse('privacy:preferences')}",
        },
    )
    enqueue_message(recipients=[user.email], headers=marketing_headers(user, topic), **message)
    return True


# --- campaigns (staff) -----------------------------------------------------------------------------


@transaction.atomic
def marketing_campaign_send(*, campaign: MarketingCampaign, actor) -> MarketingCampaign:
    claimed = MarketingCampaign.objects.filter(
        pk=campaign.pk, status=MarketingCampaign.Status.DRAFT
    ).update(status=MarketingCampaign.Status.SENDING)
    if not claimed:
        raise Conflict(_("This campaign was already sent."))
    from privacy.tasks import marketing_campaign_send_task

    transaction.on_commit(lambda: marketing_campaign_send_task.delay(campaign.pk))
    campaign.refresh_from_db()
    return campaign


def marketing_campaign_deliver(*, campaign_id: int, chunk_size: int = 500) -> int:
    """Send a campaign to consenting users only (the task body)."""
    from privacy.selectors import marketing_recipients

    campaign = MarketingCampaign.objects.filter(
        pk=campaign_id, status=MarketingCampaign.Status.SENDING
    ).first()
    if campaign is None:
        return 0
    sent = 0
    last = 0
    while True:
        users = list(marketing_recipients(campaign.topic).filter(pk__gt=last)[:chunk_size])
        if not users:
            break
        with transaction.atomic():
            for user in users:
                sent += marketing_email_send(
                    user=user, topic=campaign.topic, subject=campaign.subject, body=campaign.body
                )
        last = users[-1].pk
    MarketingCampaign.objects.filter(pk=campaign_id).update(
        status=MarketingCampaign.Status.SENT, sent_at=timezone.now(), recipient_count=sent
    )
    logger.info("campaign %s sent to %s recipients", campaign_id, sent)
    return sent

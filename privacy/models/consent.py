from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """What a user can consent to. Marketing topics are opt-in, never pre-ticked."""

    PRODUCT_NEWS = "product_news", _("New features and tips")
    OFFERS = "offers", _("Special offers")
    ANALYTICS_COOKIES = "analytics_cookies", _("Analytics cookies")


MARKETING_TOPICS = (Topic.PRODUCT_NEWS, Topic.OFFERS)


class MarketingConsent(models.Model):
    """The current marketing choice of one user for one topic (the history is
    in :class:`ConsentEvent`). No row means no consent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketing_consents"
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    is_granted = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="marketing_consent_unique")
        ]
        indexes = [models.Index(fields=["topic", "is_granted"])]

    def __str__(self):
        return f"{self.user_id} {self.topic} {self.is_granted}"


class ConsentEvent(models.Model):
    """One change of consent: what, granted or withdrawn, how, when. Append-only."""

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Sign-up form")
        PREFERENCES = "preferences", _("Preferences page")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
        ONE_CLICK = "one_click", _("One-click unsubscribe (mail client)")
        COOKIE_BANNER = "cookie_banner", _("Cookie banner")
        COOKIE_SETTINGS = "cookie_settings", _("Cookie settings page")
        STAFF = "staff", _("Platform staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_events"
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    is_granted = models.BooleanField()
    source = models.CharField(max_length=20, choices=Source.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self):
        verb = "granted" if self.is_granted else "withdrew"
        return f"{self.user_id} {verb} {self.topic}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("consent history cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("consent history cannot be deleted")


class MarketingCampaign(models.Model):
    """A marketing email written by platform staff; sent only to users who
    opted in to its topic, each with a signed one-click unsubscribe link."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    topic = models.CharField(
        max_length=20,
        choices=[(value, label) for value, label in Topic.choices if value in MARKETING_TOPICS],
    )
    subject = models.CharField(max_length=150)
    body = models.TextField(help_text=_("Plain text. The unsubscribe footer is added for you."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject

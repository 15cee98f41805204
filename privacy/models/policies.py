from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyDocument(models.Model):
    """One version of the privacy policy, terms or data-processing agreement.

    A published version is never edited: a change is a new version, so what a
    user accepted stays exactly what they read.
    """

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("Privacy policy")
        TERMS = "terms", _("Terms of service")
        DPA = "dpa", _("Data-processing agreement")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.CharField(max_length=20)
    last_updated = models.DateField(help_text=_("The “Last updated” date shown on the page."))
    effective_on = models.DateField(
        help_text=_("The day this version applies from. Before that the previous one is shown.")
    )
    summary = models.TextField(
        blank=True,
        help_text=_("What changed, in a few sentences; used in the email and the banner."),
    )
    body = models.TextField()
    is_significant = models.BooleanField(
        default=False, help_text=_("Significant changes are notified and must be acknowledged.")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="policy_version_unique")
        ]
        ordering = ["kind", "-effective_on", "-last_updated"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PolicyAcceptance(models.Model):
    """A user's recorded acceptance of one document version."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acceptances"
    )
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="policy_acceptance_unique")
        ]

    def __str__(self):
        return f"{self.user_id} accepted {self.document_id}"

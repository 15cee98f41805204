import datetime

import factory
from django.utils import timezone

from privacy.models import PolicyDocument, PrivacyRequest


class PrivacyRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyRequest

    reference = factory.Sequence(lambda n: f"PR-T{n:05d}")
    kind = PrivacyRequest.Kind.ACCESS
    source = PrivacyRequest.Source.LANDING_PAGE
    requester_name = factory.Sequence(lambda n: f"Requester {n}")
    requester_email = factory.Sequence(lambda n: f"requester{n}@example.test")
    received_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: PrivacyRequest.due_from(o.received_at))


class PolicyDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyDocument

    kind = PolicyDocument.Kind.PRIVACY
    version = factory.Sequence(lambda n: f"2026-01-{n % 28 + 1:02d}-{n}")
    last_updated = factory.LazyFunction(timezone.localdate)
    effective_on = factory.LazyFunction(timezone.localdate)
    body = "Privacy Policy\n\nWe changed how long we keep router status samples."
    summary = "Router status samples are now kept for 90 days."
    is_significant = True


def days_ago(days: int):
    return timezone.now() - datetime.timedelta(days=days)

"""Privacy models, one module per area (re-exported here for ``privacy.models``)."""

from privacy.models.access import AccessLog
from privacy.models.consent import (
    MARKETING_TOPICS,
    ConsentEvent,
    MarketingCampaign,
    MarketingConsent,
    Topic,
)
from privacy.models.deletion import AccountDeletion, LegalHold
from privacy.models.exports import DataExport
from privacy.models.policies import PolicyAcceptance, PolicyDocument
from privacy.models.reports import MinorDataReport
from privacy.models.requests import PrivacyRequest
from privacy.models.retention import RetentionPurge, RetentionRule

__all__ = [
    "MARKETING_TOPICS",
    "AccessLog",
    "AccountDeletion",
    "ConsentEvent",
    "DataExport",
    "LegalHold",
    "MarketingCampaign",
    "MarketingConsent",
    "MinorDataReport",
    "PolicyAcceptance",
    "PolicyDocument",
    "PrivacyRequest",
    "RetentionPurge",
    "RetentionRule",
    "Topic",
]

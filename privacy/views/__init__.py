"""Privacy views: the privacy centre (dashboard), the public pages (policies,
privacy requests, unsubscribe, cookie choice, reporting a minor's data)."""

from privacy.views.policies import policy_dpa, policy_privacy, policy_terms

__all__ = ["policy_dpa", "policy_privacy", "policy_terms"]

"""Privacy services (writes), one module per area. The policy-acceptance entry
point is re-exported here because sign-up calls ``privacy.services``."""

from privacy.services.policies import policies_accept_current

__all__ = ["policies_accept_current"]

from django.db import transaction

from privacy.models import PolicyAcceptance
from privacy.selectors import policies_current


@transaction.atomic
def policies_accept_current(*, user, ip_address: str | None) -> list[PolicyAcceptance]:
    """Record that ``user`` accepted the current privacy policy, terms and DPA."""
    acceptances = []
    for document in policies_current():
        acceptance, _created = PolicyAcceptance.objects.get_or_create(
            user=user, document=document, defaults={"ip_address": ip_address}
        )
        acceptances.append(acceptance)
    return acceptances

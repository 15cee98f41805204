"""One-time codes and the operator's privacy-request queue (privacy app)."""

from __future__ import annotations


def send_one_time_code(*, config, channel: str, contact: str, code: str) -> None:
    """Send a data-request code to the customer's phone or email on file, in the page's language."""
    from django.utils.translation import gettext as _

    from nettportal.mail import send_email
    from nettportal.sms import send_sms

    if channel == "sms":
        send_sms(
            to=contact,
            body=_("%(code)s is your code to confirm your data request to %(name)s.")
            % {"code": code, "name": config.organization_name},
        )
    else:
        send_email(
            to=contact,
            template="portal_data_request_code",
            context={"code": code, "operator": config.organization_name},
        )


def privacy_request_submit(*, config, pending):
    """Put a verified request in the operator's privacy queue; returns its reference."""
    from privacy.models import PrivacyRequest
    from privacy.services.requests import privacy_request_create

    return privacy_request_create(
        organization=config.organization,
        kind=pending.kind,
        requester_name=pending.name,
        requester_email=pending.contact if pending.channel == "email" else "",
        requester_phone=pending.contact if pending.channel == "sms" else "",
        message=pending.message,
        source=PrivacyRequest.Source.LANDING_PAGE,
        customer_ref=str(pending.customer_id or ""),
    )

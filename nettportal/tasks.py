import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    time_limit=60,
    soft_time_limit=45,
)
def send_email_task(self, payload: dict) -> None:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=payload["recipients"],
        headers=payload.get("headers") or None,
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    message.send()
    logger.info(
        "email sent: %s recipient(s), attempt %s",
        len(payload["recipients"]),
        self.request.retries + 1,
    )


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=6,
    time_limit=60,
    soft_time_limit=45,
)
def send_sms_task(self, to: str, body: str) -> None:
    """Send one text message through the configured backend (see nettportal/sms.py)."""
    from nettportal.sms import SMSError, get_backend, mask_phone

    try:
        get_backend().send(to, body)
    except SMSError as error:
        raise self.retry(exc=error) from error
    logger.info("sms sent to %s, attempt %s", mask_phone(to), self.request.retries + 1)

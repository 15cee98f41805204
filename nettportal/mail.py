"""Transactional email: rendered from templates, sent by a Celery task after commit.

Templates live in ``templates/emails/``: ``<name>_subject.txt``, ``<name>.txt``
and optionally ``<name>.html`` (which extends ``emails/base.html``).
"""

from django.conf import settings
from django.db import transaction
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string


def render_email(template: str, context: dict) -> dict:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    body = render_to_string(f"emails/{template}.txt", context)
    try:
        html = render_to_string(f"emails/{template}.html", context)
    except TemplateDoesNotExist:
        html = None
    return {"subject": subject, "body": body, "html": html}


def send_email(*, to: list[str] | str, template: str, context: dict, headers=None) -> None:
    """Render now (so the context may hold model instances), send after commit."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    message = render_email(template, context)
    enqueue_message(recipients=recipients, headers=headers or {}, **message)


def enqueue_message(*, recipients, subject, body, html=None, headers=None) -> None:
    from nettportal.tasks import send_email_task

    payload = {
        "recipients": recipients,
        "subject": subject,
        "body": body,
        "html": html,
        "headers": headers or {},
    }
    transaction.on_commit(lambda: send_email_task.delay(payload))

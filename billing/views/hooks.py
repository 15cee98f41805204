"""Callback and webhook endpoints processors call (no login, no CSRF).

The organisation comes from the URL (the account's callback key), never from
the body. Bodies are size-limited; anything forged, malformed or unknown is
answered with a 4xx and changes nothing; a database hiccup is a 503 (the
sender may retry, and reconciliation settles the payment anyway). Never a 500.
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.tenancy import tenant
from billing.models import ProcessorAccount
from billing.processors import NotificationRejected
from billing.selectors import processor_account_for_callback
from billing.services import online
from insights.middleware import log_refusals_only
from nettportal.errors import ApplicationError

logger = logging.getLogger(__name__)


def _answer(status: int, code: int, text: str) -> JsonResponse:
    # Daraja reads ResultCode/ResultDesc; Paystack only looks at the status.
    return JsonResponse({"ResultCode": code, "ResultDesc": text}, status=status)


def _body(request) -> bytes | None:
    limit = settings.BILLING_WEBHOOK_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > limit:
        return None
    body = request.body
    return body if len(body) <= limit else None


def _handle(request, kind: str, callback_key: str, handler):
    body = _body(request)
    if body is None:
        return _answer(413, 1, "Body too large")
    account = processor_account_for_callback(kind=kind, callback_key=callback_key)
    if account is None:
        return _answer(404, 1, "Unknown callback address")
    try:
        with tenant(account.organization):
            outcome = handler(account, body)
    except NotificationRejected as rejection:
        logger.warning(
            "%s callback refused for org %s: %s (%s)",
            kind,
            account.organization_id,
            rejection.message,
            rejection.status,
        )
        return _answer(rejection.status, 1, rejection.message)
    except ApplicationError as error:
        logger.warning(
            "%s callback refused for org %s: %s", kind, account.organization_id, error.code
        )
        return _answer(400 if error.status >= 500 else error.status, 1, error.message)
    except DatabaseError:
        logger.exception("%s callback: database error for org %s", kind, account.organization_id)
        return _answer(503, 1, "Try again later")
    logger.info("%s callback for org %s: %s", kind, account.organization_id, outcome)
    return _answer(200, 0, "Accepted")


@csrf_exempt
@log_refusals_only
@require_POST
def mpesa_callback(request, callback_key, token):
    return _handle(
        request,
        ProcessorAccount.Kind.MPESA,
        callback_key,
        lambda account, body: online.mpesa_callback_handle(
            account=account, url_token=token, body=body
        ),
    )


@csrf_exempt
@log_refusals_only
@require_POST
def paystack_webhook(request, callback_key):
    return _handle(
        request,
        ProcessorAccount.Kind.PAYSTACK,
        callback_key,
        lambda account, body: online.paystack_webhook_handle(
            account=account, body=body, headers=request.headers
        ),
    )

"""``/healthz``: 200 when the database and the broker answer, 503 otherwise."""

import logging
import os

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not healthy"
        logger.warning("health: database check failed", exc_info=True)
        return False


def _check_broker() -> bool:
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            return bool(client.ping())
        if url == "filesystem://":
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
            os.makedirs(folder, exist_ok=True)
            return os.access(folder, os.W_OK)
        from nettportal.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # any failure means "not healthy"
        logger.warning("health: broker check failed", exc_info=True)
        return False


@never_cache
def healthz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )

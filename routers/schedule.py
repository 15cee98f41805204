"""Beat entries for routers (read while Celery configures itself: no models here)."""

from django.conf import settings

_interval = float(settings.ROUTER_POLL_INTERVAL)

BEAT_SCHEDULE = {
    "routers-poll": {
        "task": "routers.tasks.poll_routers_task",
        "schedule": _interval,
        # A fan-out that could not start in time is dropped, not piled up.
        "options": {"expires": max(1.0, _interval - 1)},
    },
}

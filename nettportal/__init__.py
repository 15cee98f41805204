"""Project package: settings, URLs, the Celery app and cross-cutting pieces
(encrypted fields, application errors, background-job progress, health,
Sentry scrubbing) that every domain app uses."""

from .celery import app as celery_app

__all__ = ["celery_app"]

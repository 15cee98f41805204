"""Notifications: emails and in-app notices to an organisation's members.

Other apps call :func:`notifications.services.notify` with an event from
``notifications/types.py``; this app decides who receives it (by role
permission, or the recipients given), honours each member's preferences for
operational alerts, stores the in-app notice and sends the email (Celery,
retried, after commit) from ``templates/emails/notifications/``.
"""

"""Serves the payment processors' callbacks ahead of the dashboard's middleware.

A callback needs no session, user, CSRF cookie (the views are CSRF-exempt),
messages or member tenant (the URL names the organisation), and a storm of
them (duplicates, retries) is what M-Pesa sends. See nettportal/middleware.py
for how the shortcut works. Two things of the skipped layers are kept: the
answer's language is the site's default (no Accept-Language from a processor,
and no language left over from another request on this thread), and a refusal
is written to the security log as RequestLogMiddleware would.
"""

from django.conf import settings
from django.utils import translation

from billing.urls import hook_urlpatterns
from insights.middleware import record_refusal
from nettportal.middleware import ShortcutMiddleware


class ProcessorHooksMiddleware(ShortcutMiddleware):
    mount = "/payments/"
    prefix = "/payments/hooks/"
    urlconf = hook_urlpatterns

    def respond(self, request, match):
        try:
            with translation.override(settings.LANGUAGE_CODE):
                response = super().respond(request, match)
        except Exception:
            record_refusal(request, 500)  # Django's handler turns it into the 500 answer
            raise
        record_refusal(request, response.status_code)
        return response

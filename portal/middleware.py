"""Serves the public landing pages (/p/) ahead of the dashboard's middleware.

The landing pages use no session, user, CSRF cookie, messages, htmx or member
tenant (the slug sets the tenant, see portal.views.public.public_page), and
they are the busiest URLs of the product: every device joining a hotspot
opens one. Sending them through those layers cost about half of each
request; see nettportal/middleware.py for how the shortcut works.
"""

from nettportal.middleware import ShortcutMiddleware


class PublicPortalMiddleware(ShortcutMiddleware):
    mount = "/p/"
    urlconf = "portal.public_urls"

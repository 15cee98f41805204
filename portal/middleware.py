"""Serves the public landing pages (/p/) ahead of the dashboard's middleware.

The landing pages use no session, user, CSRF cookie, messages, htmx or member
tenant (the slug sets the tenant, see portal.views.public.public_page), and
they are the busiest URLs of the product: every device joining a hotspot
opens one. Sending them through those layers cost about half of each request,
so this middleware, placed right after SecurityMiddleware and WhiteNoise,
resolves ``/p/...`` against portal/public_urls.py and calls the view
directly. Anything else, or a /p/ path that does not match (so that
APPEND_SLASH and the normal 404 apply), goes down the usual stack.
"""

from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern

PREFIX = "/p/"


class PublicPortalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.resolver = URLResolver(RegexPattern(r"^/p/"), "portal.public_urls")

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        try:
            match = self.resolver.resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        if "X-Frame-Options" not in response:
            response["X-Frame-Options"] = "DENY"
        return response

"""Serving a few busy machine- and public-facing URL prefixes ahead of the dashboard's
middleware.

The dashboard's stack (sessions, language, CSRF cookie, users, messages, htmx,
member tenant, two-factor) costs a fifth to a half of a short request. The landing
pages (every device joining a hotspot) and the payment processors' callbacks
need none of it, so a :class:`ShortcutMiddleware` placed right after
SecurityMiddleware and WhiteNoise resolves its prefix against its own few URL
patterns and calls the view directly. Anything else, or a path under the
prefix that does not match (so that APPEND_SLASH and the normal 404 apply),
goes down the usual stack. The patterns are the same objects the main URLconf
includes, so ``reverse()`` and the route in logs are unchanged (the match's
namespace is not: nothing on these paths reads it).
"""

from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern, RoutePattern


class ShortcutMiddleware:
    #: where the main URLconf includes ``urlconf``, with both slashes ("/p/")
    mount = ""
    #: the URL patterns served here (a module path, or a list of patterns)
    urlconf = None
    #: only paths starting with this are looked at (default: ``mount``)
    prefix = ""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = self.prefix or self.mount
        # As the main URLconf's root resolver does, so routes read "payments/hooks/…".
        self.resolver = URLResolver(
            RegexPattern(r"^/"), [URLResolver(RoutePattern(self.mount.lstrip("/")), self.urlconf)]
        )

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(self.prefix):
            return self.get_response(request)
        try:
            match = self.resolver.resolve(path)
        except Resolver404:
            return self.get_response(request)
        request.resolver_match = match
        response = self.respond(request, match)
        if not response.streaming and not response.has_header("Content-Length"):
            # As CommonMiddleware does: keep-alive clients need not read chunks.
            response.headers["Content-Length"] = str(len(response.content))
        if "X-Frame-Options" not in response:  # as XFrameOptionsMiddleware does
            response["X-Frame-Options"] = "DENY"
        return response

    def respond(self, request, match):
        """Call the view (subclasses add what their URLs need of the skipped layers)."""
        return match.func(request, *match.args, **match.kwargs)

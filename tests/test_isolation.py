"""Tenant isolation: every URL pattern, as every role of tenant A, against B.

The walk discovers routes from the URLconf, so a new view or API route is
covered without editing this file. URL arguments must be named
``<model_name>_id`` (e.g. ``router_id``) so the walk can fill them with
tenant B's ids; an argument it cannot fill fails the test unless the route is
listed in PUBLIC_OR_CAPABILITY_ROUTES with the reason it is safe.

It fails when:
* a 2xx response to A shows B's marker text,
* after a POST, A's next dashboard page shows B's marker (state leaked into
  A's session, e.g. switching into B),
* any of B's rows changed or disappeared,
* a tenant-owned model has no row in B's world (extend tests/<app>/world.py).
"""

import re

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant_models
from tests.world import build_world

MARKER_A = "AAMARKERA"
MARKER_B = "ZZLEAKMARKERB"

# Route prefixes whose arguments are not tenant ids, with why they are safe.
PUBLIC_OR_CAPABILITY_ROUTES = {
    "admin/": "Django admin: staff only, refused to members (tested in test_admin_access)",
    "account/": "allauth: arguments are one-time keys mailed to the user, not tenant ids",
    "invitations/accept/": "signed invitation token is the capability; tested in test_members",
    "static/": "static files",
    "p/": (
        "public landing pages: the slug names the page and activates its organisation "
        "(portal.views.public.public_page); cross-tenant tests in tests/portal/test_public_isolation.py"
    ),
    "payments/hooks/": "processor callbacks: the account's callback key (+ secret token) in the "
    "URL picks the tenant; tested in tests/billing/test_hooks.py",
    "payments/public/": "payer's payment page: the unguessable public id is the capability; "
    "tested in tests/billing/test_public.py",
}
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if isinstance(pattern, RegexPattern):
            route = pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
        else:
            route = str(pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, isinstance(pattern, RoutePattern)


def _routes():
    seen = set()
    for route, is_route_pattern in _walk(get_resolver()):
        if route in seen:
            continue
        seen.add(route)
        if route.startswith(tuple(PUBLIC_OR_CAPABILITY_ROUTES)):
            continue
        yield route, is_route_pattern


def _snapshot(world):
    rows = {}
    with all_tenants():
        for model in tenant_models():
            for obj in model.objects.filter(organization=world.organization):
                rows[(model._meta.label, obj.pk)] = model_to_dict(obj)
        for obj in world.objects:
            obj_model = type(obj)
            fresh = obj_model._default_manager.filter(pk=obj.pk).first()
            rows[(obj_model._meta.label, obj.pk)] = model_to_dict(fresh) if fresh else None
    return rows


def _fill(route, world):
    """Every concrete URL for ``route`` using B's ids (one per argument combination)."""
    arguments = [(m.group("converter"), m.group("name")) for m in ARGUMENT.finditer(route)]
    if not arguments:
        return ["/" + route]
    candidates = []
    for _converter, name in arguments:
        if not name.endswith("_id"):
            pytest.fail(
                f"URL argument <{name}> in '{route}' cannot be filled with another tenant's "
                "id: name it <model_name>_id, or list the route as public with a reason"
            )
        ids = world.ids(name[: -len("_id")])
        if not ids:
            pytest.fail(
                f"tenant B's world has no '{name[:-3]}' for '{route}': add one in "
                "tests/<app>/world.py"
            )
        candidates.append(ids)
    urls = []
    for combination in _product(candidates):
        values = iter(combination)
        urls.append("/" + ARGUMENT.sub(lambda _m, values=values: str(next(values)), route))
    return urls


def _product(lists):
    result = [[]]
    for options in lists:
        result = [[*prefix, option] for prefix in result for option in options[:3]]
    return result


@pytest.mark.django_db(transaction=False)
def test_no_route_leaks_another_tenant():
    world_a = build_world("Alpha", MARKER_A)
    world_b = build_world("Bravo", MARKER_B)

    with all_tenants():
        empty = [
            model._meta.label
            for model in tenant_models()
            if not model.objects.filter(organization=world_b.organization).exists()
        ]
    assert not empty, f"extend tests/<app>/world.py so B has rows of: {empty}"

    before = _snapshot(world_b)
    routes = list(_routes())
    assert len(routes) > 10, "the URL walk found suspiciously few routes"
    post_data = {
        "name": "Hijacked",
        "title": "Hijacked",
        "email": "hijack@example.test",
        "confirm": "yes",
        **world_b.post_data,
    }
    assert MARKER_B.lower() not in str(post_data).lower()
    leaks = []
    requests = 0
    for role in Role.values:
        user = world_a.users[role]
        for route, _is_route in routes:
            for url in _fill(route, world_b):
                for method in ("get", "post"):
                    client = Client(HTTP_USER_AGENT="isolation-walk")
                    client.force_login(user)
                    response = getattr(client, method)(url, post_data if method == "post" else None)
                    requests += 1
                    raw = (
                        b"".join(response.streaming_content)
                        if response.streaming
                        else response.content
                    )
                    body = raw.decode(errors="replace")
                    if 200 <= response.status_code < 300 and MARKER_B.lower() in body.lower():
                        leaks.append(f"{role} {method.upper()} {url} showed B's data")
                    if method == "post":
                        after = client.get("/dashboard/")
                        if MARKER_B.lower() in after.content.decode(errors="replace").lower():
                            leaks.append(f"{role} POST {url} put B into A's session")
    after = _snapshot(world_b)
    changed = [key for key in before if before[key] != after.get(key)]
    assert not leaks, "\n".join(leaks)
    assert not changed, f"A's requests changed B's rows: {changed}"
    assert requests > 100


@pytest.mark.django_db
def test_admin_refuses_members(client):
    world = build_world("Alpha", MARKER_A)
    client.force_login(world.users[Role.OWNER])
    response = client.get("/admin/accounts/organization/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


API_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.mark.django_db(transaction=False)
def test_no_api_route_leaks_another_tenant_with_a_token():
    """Every /api/ route, called with tenant A's API token (every scope),
    against tenant B's ids: never B's data, never a change to B's rows.
    Routes come from the URLconf, so a new app's api_urls.py is covered."""
    world_a = build_world("Alpha", MARKER_A)
    world_b = build_world("Bravo", MARKER_B)
    assert world_a.api_token, "tests/integrations/world.py must give the world an API token"

    before = _snapshot(world_b)
    api_routes = [route for route, _is_route in _routes() if route.startswith("api/")]
    assert len(api_routes) >= 5, "the API walk found suspiciously few routes"
    body = {**world_b.post_data, "name": "Hijacked", "email": "hijack@example.test"}
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world_a.api_token}")
    leaks, requests, authenticated = [], 0, 0
    for route in api_routes:
        for url in _fill(route, world_b):
            for method in API_METHODS:
                kwargs = {"content_type": "application/json"} if method != "get" else {}
                response = getattr(client, method)(url, body if method != "get" else None, **kwargs)
                requests += 1
                authenticated += response.status_code != 401
                text = response.content.decode(errors="replace").lower()
                if 200 <= response.status_code < 300 and MARKER_B.lower() in text:
                    leaks.append(f"token {method.upper()} {url} showed B's data")
                if response.status_code >= 500:
                    leaks.append(f"token {method.upper()} {url} answered {response.status_code}")
    after = _snapshot(world_b)
    changed = [key for key in before if before[key] != after.get(key)]
    assert not leaks, "\n".join(leaks)
    assert not changed, f"A's token changed B's rows: {changed}"
    assert authenticated == requests, "A's token was refused; the walk proved nothing"

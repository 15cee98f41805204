"""The routers using a page (routers app)."""

from __future__ import annotations


def page_routers(page) -> list:
    """The routers whose hotspot uses ``page``."""
    from routers.models import Router

    return list(
        Router.objects.filter(pk__in=page.router_links.values("router_id")).order_by("name")
    )


def router_choices():
    from routers.selectors import routers_for_choice

    return routers_for_choice()


def router_names(router) -> list[str]:
    """Names the router may send as ``$(identity)``: its polled identity, then its name here."""
    return [name.strip() for name in (router.identity, router.name) if name and name.strip()]

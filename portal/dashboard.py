"""The landing-pages widget on the dashboard home: pages, and the last day's sales on them."""

from accounts.permissions import has_org_permission


def widgets(request) -> list[dict]:
    if not has_org_permission(request, "portal.view"):
        return []
    from portal.selectors import portal_summary

    return [{"template": "portal/widget.html", "context": portal_summary(), "order": 40}]

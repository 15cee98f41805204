"""Dashboard home widget: customers' privacy requests waiting for an answer."""

from accounts.permissions import has_org_permission


def widgets(request) -> list[dict]:
    if not has_org_permission(request, "privacy.view"):
        return []
    from privacy.selectors import privacy_request_counts

    counts = privacy_request_counts(organization=request.organization)
    if not counts["open"]:
        return []
    return [{"template": "privacy/widget.html", "context": counts, "order": 80}]

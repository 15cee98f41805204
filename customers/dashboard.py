"""The customers widget on the dashboard home."""

from accounts.permissions import has_org_permission


def widgets(request) -> list[dict]:
    if not has_org_permission(request, "customers.view"):
        return []
    from customers.selectors import customer_counts, online_now

    context = customer_counts(organization=request.organization)
    context["online_now"] = online_now()
    return [{"template": "customers/widgets/summary.html", "context": context, "order": 20}]

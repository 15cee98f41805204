"""The payments widget on the dashboard home: today's and this month's revenue, and
payments that need someone to look at them."""

from accounts.permissions import has_org_permission


def widgets(request) -> list[dict]:
    if not has_org_permission(request, "billing.view"):
        return []
    from billing.selectors import payment_summary

    return [
        {
            "template": "billing/widgets/summary.html",
            "context": payment_summary(organization=request.organization),
            "order": 30,
        }
    ]

"""The "sales of the day" widget on the dashboard home."""

from accounts.permissions import has_org_permission
from vouchers.charts import sales_chart
from vouchers.models import Voucher
from vouchers.selectors import sales_summary


def widgets(request) -> list[dict]:
    if not has_org_permission(request, "vouchers.view"):
        return []
    organization = request.organization
    sales = sales_summary(organization=organization)
    return [
        {
            "template": "vouchers/widget.html",
            "context": {
                "sales": sales,
                "currency": organization.currency,
                "chart": sales_chart(sales, currency=organization.currency),
                "active": Voucher.objects.filter(status=Voucher.Status.ACTIVE).count(),
            },
            "order": 20,
        }
    ]

"""Billing pieces other apps' pages include (the customer page's payment history)."""

from django import template

from accounts.permissions import has_org_permission
from billing import selectors

register = template.Library()


@register.inclusion_tag("billing/_customer_payments.html", takes_context=True)
def customer_payment_history(context, customer):
    """Payments, open invoices and credit of one customer (three queries)."""
    request = context.get("request")
    if request is None or not has_org_permission(request, "billing.view"):
        return {"hidden": True}
    return {
        "customer": customer,
        "payments": selectors.customer_payments(customer=customer),
        "invoices": selectors.customer_invoices(customer=customer, limit=5),
        "credit": selectors.customer_credit(customer=customer),
        "can_record": has_org_permission(request, "billing.manage"),
    }

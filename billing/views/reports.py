"""Revenue dashboard (charts, CSV) and the organisation's platform invoices."""

import csv

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.permissions import org_permission_required
from billing import charts, selectors
from billing.forms import RevenueFilterForm
from billing.models import PlatformInvoice
from billing.pdf import platform_invoice_pdf
from billing.reports import revenue_csv_rows, revenue_report


def _report(request):
    form = RevenueFilterForm(request.GET or None)
    start, end, currency = form.period()
    return form, revenue_report(
        organization=request.organization, start=start, end=end, currency=currency
    )


@org_permission_required("billing.view")
def revenue(request):
    form, report = _report(request)
    label = f"{report.currency}"
    return render(
        request,
        "billing/revenue.html",
        {
            "form": form,
            "report": report,
            "daily_chart": charts.bar_chart(
                report.by_day, label=f"Revenue per day ({label})", currency=report.currency
            ),
            "package_chart": charts.hbar_chart(
                report.by_package, label="Revenue by package", currency=report.currency
            ),
            "router_chart": charts.hbar_chart(
                report.by_router, label="Revenue by router", currency=report.currency
            ),
            "processor_chart": charts.hbar_chart(
                report.by_processor, label="Revenue by payment method", currency=report.currency
            ),
            "querystring": request.GET.urlencode(),
        },
    )


class _Echo:
    def write(self, value):
        return value


@org_permission_required("billing.view")
def revenue_csv(request):
    _form, report = _report(request)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in revenue_csv_rows(report)), content_type="text/csv"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="revenue-{report.currency}-{report.start}-{report.end}.csv"'
    )
    return response


@org_permission_required("billing.manage")
def platform_invoice_list(request):
    from billing.services.platform import plan_for

    return render(
        request,
        "billing/platform_invoice_list.html",
        {
            "invoices": selectors.platform_invoice_list()[:60],
            "plan": plan_for(request.organization),
        },
    )


@org_permission_required("billing.manage")
def platform_invoice_pdf_view(request, platforminvoice_id):
    invoice = get_object_or_404(PlatformInvoice, pk=platforminvoice_id)
    response = HttpResponse(platform_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response

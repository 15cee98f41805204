"""Revenue dashboard (charts, CSV) and the organisation's platform invoices."""

import csv

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.permissions import org_permission_required
from billing import selectors
from billing.forms import RevenueFilterForm
from billing.models import PlatformInvoice
from billing.pdf import platform_invoice_pdf
from billing.reports import revenue_csv_rows, revenue_report
from nettportal.charts import Series, bar_chart, hbar_chart, money_unit


def _report(request):
    form = RevenueFilterForm(request.GET or None)
    start, end, currency = form.period()
    return form, revenue_report(
        organization=request.organization, start=start, end=end, currency=currency
    )


def _payments(count: int) -> str:
    return ngettext("%(n)s payment", "%(n)s payments", count) % {"n": count}


def _revenue_charts(report) -> dict:
    """The four charts of the revenue page, in the report's currency."""
    unit = money_unit(report.currency)

    def breakdown(key, title, header, rows):
        return hbar_chart(
            key=key,
            title=title,
            labels=[label for label, _amount, _n in rows],
            values=[amount for _label, amount, _n in rows],
            notes=[_payments(n) for _label, _amount, n in rows],
            notes_header=_("Payments"),
            x_header=header,
            unit=unit,
        )

    return {
        "daily_chart": bar_chart(
            key="daily",
            title=_("Revenue per day (%(currency)s)") % {"currency": report.currency},
            labels=[f"{day:%d %b}" for day, _amount, _n in report.by_day],
            long_labels=[f"{day:%a %d %b %Y}" for day, _amount, _n in report.by_day],
            series=[Series(_("Revenue"), [amount for _day, amount, _n in report.by_day])],
            notes=[_payments(n) for _day, _amount, n in report.by_day],
            notes_header=_("Payments"),
            x_header=_("Day"),
            unit=unit,
            width=720,
            height=220,
        ),
        "package_chart": breakdown(
            "package", _("Revenue by package"), _("Package"), report.by_package
        ),
        "router_chart": breakdown("router", _("Revenue by router"), _("Router"), report.by_router),
        "processor_chart": breakdown(
            "processor", _("Revenue by payment method"), _("Payment method"), report.by_processor
        ),
    }


@org_permission_required("billing.view")
def revenue(request):
    form, report = _report(request)
    return render(
        request,
        "billing/revenue.html",
        {
            "form": form,
            "report": report,
            **_revenue_charts(report),
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

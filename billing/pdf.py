"""PDF receipts and invoices (reportlab; no fonts or files fetched from anywhere)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

BRAND = (0.043, 0.431, 0.412)


def _money(amount, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def _document(
    *,
    issuer: str,
    issuer_lines: list[str],
    title: str,
    number: str,
    facts: list[tuple[str, str]],
    lines: list[tuple[str, str]],
    total: str,
    footer: list[str],
) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{title} {number}")
    pdf.setAuthor(issuer)
    width, height = A4
    x, y = 20 * mm, height - 25 * mm
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(x, y, issuer[:60])
    pdf.setFont("Helvetica", 9)
    for line in issuer_lines:
        y -= 5 * mm
        pdf.drawString(x, y, line[:90])
    pdf.setFillColorRGB(*BRAND)
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawRightString(width - 20 * mm, height - 25 * mm, title.upper())
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont("Helvetica", 11)
    pdf.drawRightString(width - 20 * mm, height - 32 * mm, number)
    y -= 14 * mm
    for label, value in facts:
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(x, y, label)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(x + 45 * mm, y, str(value)[:80])
        y -= 6 * mm
    y -= 6 * mm
    pdf.setStrokeColorRGB(0.8, 0.84, 0.87)
    pdf.line(x, y + 4 * mm, width - 20 * mm, y + 4 * mm)
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(x, y - 1 * mm, "Description")
    pdf.drawRightString(width - 20 * mm, y - 1 * mm, "Amount")
    y -= 8 * mm
    pdf.setFont("Helvetica", 10)
    for description, amount in lines:
        pdf.drawString(x, y, description[:90])
        pdf.drawRightString(width - 20 * mm, y, amount)
        y -= 6 * mm
    pdf.line(x, y + 2 * mm, width - 20 * mm, y + 2 * mm)
    y -= 5 * mm
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(x, y, "Total")
    pdf.drawRightString(width - 20 * mm, y, total)
    pdf.setFont("Helvetica", 8)
    y = 20 * mm
    for line in reversed(footer):
        pdf.drawString(x, y, line[:120])
        y += 4 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _issuer_lines(organization) -> list[str]:
    lines = [part for part in (organization.address_line, organization.city) if part]
    lines.append(organization.email)
    if organization.phone:
        lines.append(organization.phone)
    return lines


def receipt_pdf(payment, *, receipt_note: str = "") -> bytes:
    organization = payment.organization
    customer = payment.customer
    payer = customer.name if customer is not None else (payment.payer_phone_masked or "—")
    facts = [
        ("Date paid", f"{payment.paid_at:%d %B %Y %H:%M} UTC" if payment.paid_at else "—"),
        ("Paid by", payer),
        ("Method", payment.get_processor_display()),
        ("Processor receipt", payment.processor_receipt or "—"),
        ("Our reference", payment.reference),
    ]
    if payment.status == payment.Status.REFUNDED:
        facts.append(("Status", "REFUNDED"))
    return _document(
        issuer=organization.name,
        issuer_lines=_issuer_lines(organization),
        title="Receipt",
        number=payment.receipt_number or payment.reference,
        facts=facts,
        lines=[(payment.purpose_label or "Payment", _money(payment.amount, payment.currency))],
        total=_money(payment.amount, payment.currency),
        footer=[line for line in (receipt_note, "Thank you for your payment.") if line],
    )


def invoice_pdf(invoice) -> bytes:
    organization = invoice.organization
    customer = invoice.customer
    facts = [
        ("Billed to", customer.name if customer is not None else "—"),
        ("Issued", f"{invoice.issued_on:%d %B %Y}"),
        ("Due", f"{invoice.due_on:%d %B %Y}"),
        ("Status", invoice.get_status_display()),
    ]
    return _document(
        issuer=organization.name,
        issuer_lines=_issuer_lines(organization),
        title="Invoice",
        number=invoice.number,
        facts=facts,
        lines=[(invoice.description, _money(invoice.amount, invoice.currency))],
        total=_money(invoice.amount, invoice.currency),
        footer=[f"Pay by bank transfer with reference {invoice.number}, or pay our staff."],
    )


def platform_invoice_pdf(invoice) -> bytes:
    organization = invoice.organization
    lines = []
    if invoice.flat_fee:
        lines.append(
            (f"{invoice.plan_name}: monthly fee", _money(invoice.flat_fee, invoice.currency))
        )
    if invoice.percent_fee:
        lines.append(
            (
                f"{invoice.percent}% of {_money(invoice.volume, invoice.currency)} processed "
                f"({invoice.payment_count} payments)",
                _money(invoice.percent_fee, invoice.currency),
            )
        )
    return _document(
        issuer="NettPortal",
        issuer_lines=["Platform fees"],
        title="Invoice",
        number=invoice.number,
        facts=[
            ("Billed to", organization.name),
            ("Period", f"{invoice.period_start:%d %b %Y} – {invoice.period_end:%d %b %Y}"),
            ("Due", f"{invoice.due_on:%d %B %Y}"),
            ("Status", invoice.get_status_display()),
        ],
        lines=lines,
        total=_money(invoice.total, invoice.currency),
        footer=["Questions about this invoice? Open a support ticket from your dashboard."],
    )

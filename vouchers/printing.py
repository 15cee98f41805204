"""Printable voucher cards as PDF: A4 sheets in a grid, or 58/80 mm thermal rolls.

Each card shows the organisation's name (and logo), the package, its price,
validity and limits, the code, the PIN, and a QR code that opens the landing
page with the code filled in. The QR link is, first found:

1. the batch's own ``qr_url_template``;
2. the organisation's ``VoucherSettings.qr_url_template``;
3. ``VOUCHER_QR_URL_TEMPLATE`` (default ``{site}/p/{org}/?code={code}``, the
   landing-page address the portal app serves).

QR codes are encoded with a fixed mask pattern: choosing the "best" of the
eight masks costs 4x the time and any mask is valid and scannable. Dark
modules are drawn as horizontal runs in one path per code, which keeps a
1,000-card PDF small and fast.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from urllib.parse import quote

import qrcode
from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from vouchers import formatting

logger = logging.getLogger(__name__)

PAPERS = {
    "a4": "A4 sheet",
    "roll58": "58 mm thermal roll",
    "roll80": "80 mm thermal roll",
}
ROLL_WIDTHS = {"roll58": 58 * mm, "roll80": 80 * mm}
MAX_COLUMNS, MAX_ROWS = 6, 12
DEFAULT_QR_TEMPLATE = "{site}/p/{org}/?code={code}"
QR_MASK = 2


@dataclass(frozen=True)
class Layout:
    paper: str = "a4"
    columns: int = 3
    rows: int = 8
    show_qr: bool = True

    def validate(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError("unknown paper")
        if self.paper == "a4" and not (
            1 <= self.columns <= MAX_COLUMNS and 1 <= self.rows <= MAX_ROWS
        ):
            raise ValueError("grid out of range")

    @property
    def per_page(self) -> int:
        return self.columns * self.rows if self.paper == "a4" else 1


@dataclass(frozen=True)
class CardInfo:
    """What is the same on every card of a print run."""

    organization_name: str
    package_name: str
    price: str
    lines: tuple[str, ...]
    footer: str
    logo: ImageReader | None
    qr_template: str
    organization_slug: str


# ------------------------------------------------------------------ fonts
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


@functools.cache
def fonts() -> dict[str, str]:
    """DejaVu when installed (it has ₵, ₦ and friends), else the PDF base fonts."""
    directory = getattr(settings, "VOUCHER_PDF_FONT_DIR", "") or next(
        (d for d in _FONT_DIRS if os.path.exists(os.path.join(d, "DejaVuSans.ttf"))), ""
    )
    try:
        if directory:
            for name, file in (
                ("NP-Sans", "DejaVuSans.ttf"),
                ("NP-Sans-Bold", "DejaVuSans-Bold.ttf"),
                ("NP-Mono", "DejaVuSansMono-Bold.ttf"),
            ):
                pdfmetrics.registerFont(TTFont(name, os.path.join(directory, file)))
            return {"regular": "NP-Sans", "bold": "NP-Sans-Bold", "mono": "NP-Mono", "ttf": "1"}
    except Exception:  # a broken font file must not stop printing
        logger.warning("voucher cards: DejaVu fonts unusable; falling back to base fonts")
    return {"regular": "Helvetica", "bold": "Helvetica-Bold", "mono": "Courier-Bold", "ttf": ""}


def printable_price(amount, currency: str) -> str:
    text = formatting.money(amount, currency)
    if fonts()["ttf"]:
        return text
    # The base PDF fonts have no ₵ or ₦: write the currency code instead.
    return formatting.money(amount, currency, symbol=currency)


# ------------------------------------------------------------------- links
def qr_template_for(batch=None, settings_row=None) -> str:
    return (
        (batch.qr_url_template if batch is not None else "")
        or (settings_row.qr_url_template if settings_row is not None else "")
        or getattr(settings, "VOUCHER_QR_URL_TEMPLATE", "")
        or DEFAULT_QR_TEMPLATE
    )


def qr_url(template: str, *, code: str, organization_slug: str) -> str:
    return template.format(
        site=settings.SITE_URL, org=quote(organization_slug), code=quote(code, safe="")
    )


def qr_matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK
    )
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def _draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(text)
    count = len(matrix)
    module = size / count
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        start = None
        for column, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(x + start * module, top, (column - start) * module, module)
                start = None
    canvas.drawPath(path, stroke=0, fill=1)


# ------------------------------------------------------------------- cards
def card_info(*, organization, package, batch=None, settings_row=None) -> CardInfo:
    lines = [
        f"Valid {formatting.duration(package.validity, empty='until used up').lower()}"
        + (" from first login" if package.validity else "")
    ]
    limits = []
    if package.time_limit:
        limits.append(f"{formatting.duration(package.time_limit)} online")
    if package.data_limit_bytes:
        limits.append(formatting.data_amount(package.data_limit_bytes))
    if limits:
        lines.append(" · ".join(limits))
    if package.shared_users > 1:
        lines.append(f"{package.shared_users} devices at once")
    footer = settings_row.card_footer if settings_row is not None else ""
    if batch is not None and batch.expires_at:
        use_by = f"Use before {batch.expires_at:%d %b %Y}"
        footer = f"{use_by} · {footer}" if footer else use_by
    logo = None
    if settings_row is not None and settings_row.logo:
        try:
            logo = ImageReader(settings_row.logo.path)
        except Exception:  # a missing or broken logo must not stop printing
            logger.warning("voucher cards: logo of organisation %s unreadable", organization.pk)
    return CardInfo(
        organization_name=organization.name,
        package_name=package.name,
        price=printable_price(package.price, organization.currency),
        lines=tuple(lines),
        footer=footer,
        logo=logo,
        qr_template=qr_template_for(batch, settings_row),
        organization_slug=organization.slug,
    )


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size ≤ ``size`` at which ``text`` fits ``width``."""
    measured = canvas.stringWidth(text, font, size)
    return size if measured <= width else max(4.0, size * width / measured)


def _text_height(info: CardInfo, unit: float, has_pin: bool) -> float:
    """Height of the text block drawn by :func:`_draw_card` (for roll cards)."""
    return unit * (1.1 + 1.15 + 0.8 * len(info.lines) + 1.7 + (1.15 if has_pin else 0) + 0.4)


def _roll_card_height(info: CardInfo, width: float, layout: Layout, has_pin: bool) -> float:
    pad = width * 0.06
    unit = width / 11
    height = pad + _text_height(info, unit, has_pin) + pad
    if layout.show_qr:
        height += width * 0.5 + pad
    if info.footer:
        height += unit * 0.9
    return height


def _draw_card(canvas, info: CardInfo, code: str, pin: str, x, y, width, height, layout, f):
    pad = min(width, height) * 0.06
    canvas.setStrokeColorRGB(0.75, 0.75, 0.75)
    canvas.setDash(2, 2)
    canvas.rect(x, y, width, height, stroke=1, fill=0)
    canvas.setDash()
    canvas.setFillColorRGB(0, 0, 0)
    vertical = layout.paper != "a4"
    qr_size = 0.0
    if layout.show_qr:
        qr_size = width * 0.5 if vertical else min(height - 2 * pad, width * 0.36)
    text_width = width - 2 * pad - (0 if vertical else qr_size + pad)
    unit = width / 11 if vertical else min(height / 9.5, width / 13)
    cursor = y + height - pad
    # header: logo + organisation name
    name_x = x + pad
    if info.logo is not None:
        logo_height = unit * 1.3
        canvas.drawImage(
            info.logo,
            x + pad,
            cursor - logo_height,
            width=logo_height * 2,
            height=logo_height,
            preserveAspectRatio=True,
            anchor="w",
            mask="auto",
        )
        name_x += logo_height * 2 + pad / 2
    size = _fit(canvas, info.organization_name, f["bold"], unit, x + pad + text_width - name_x)
    canvas.setFont(f["bold"], size)
    cursor -= unit * 1.1
    canvas.drawString(name_x, cursor, info.organization_name)
    # package and price
    cursor -= unit * 1.15
    label = f"{info.package_name} — {info.price}"
    canvas.setFont(f["regular"], _fit(canvas, label, f["regular"], unit * 0.9, text_width))
    canvas.drawString(x + pad, cursor, label)
    canvas.setFont(f["regular"], unit * 0.62)
    for line in info.lines:
        cursor -= unit * 0.8
        canvas.setFont(f["regular"], _fit(canvas, line, f["regular"], unit * 0.62, text_width))
        canvas.drawString(x + pad, cursor, line)
    # the code, as large as fits
    cursor -= unit * 1.7
    code_size = _fit(canvas, code, f["mono"], unit * 1.55, text_width)
    canvas.setFont(f["mono"], code_size)
    canvas.drawString(x + pad, cursor, code)
    if pin:
        cursor -= unit * 1.15
        canvas.setFont(f["regular"], unit * 0.8)
        canvas.drawString(x + pad, cursor, f"PIN {pin}")
    if info.footer:
        canvas.setFont(
            f["regular"], _fit(canvas, info.footer, f["regular"], unit * 0.55, text_width)
        )
        canvas.drawString(x + pad, y + pad * 0.8, info.footer)
    if layout.show_qr:
        url = qr_url(info.qr_template, code=code, organization_slug=info.organization_slug)
        if vertical:
            qr_x, qr_y = x + (width - qr_size) / 2, y + pad + unit * (0.9 if info.footer else 0)
        else:
            qr_x, qr_y = x + width - pad - qr_size, y + (height - qr_size) / 2
        _draw_qr(canvas, url, qr_x, qr_y, qr_size)


def render_cards(out, *, info: CardInfo, cards, layout: Layout, title: str = "Vouchers") -> int:
    """Write a PDF of ``cards`` (an iterable of ``(code, pin)``) to ``out``.

    Returns the number of cards drawn.
    """
    layout.validate()
    f = fonts()
    if layout.paper == "a4":
        page_width, page_height = A4
        margin = 8 * mm
        card_width = (page_width - 2 * margin) / layout.columns
        card_height = (page_height - 2 * margin) / layout.rows
    else:
        cards = list(cards)
        page_width = ROLL_WIDTHS[layout.paper]
        card_width = page_width - 4 * mm
        has_pin = any(pin for _code, pin in cards)
        card_height = _roll_card_height(info, card_width, layout, has_pin)
        page_height = card_height + 4 * mm
        margin = 2 * mm
    canvas = Canvas(out, pagesize=(page_width, page_height), pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("NettPortal")
    drawn = 0
    for code, pin in cards:
        slot = drawn % layout.per_page
        if drawn and slot == 0:
            canvas.showPage()
        if layout.paper == "a4":
            column, row = slot % layout.columns, slot // layout.columns
            x = margin + column * card_width
            y = page_height - margin - (row + 1) * card_height
        else:
            x, y = margin, margin
        _draw_card(canvas, info, code, pin, x, y, card_width, card_height, layout, f)
        drawn += 1
    if not drawn:
        canvas.setFont(f["regular"], 12)
        canvas.drawString(20 * mm, page_height - 30 * mm, "No vouchers to print.")
    canvas.showPage()
    canvas.save()
    return drawn

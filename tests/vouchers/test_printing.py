"""PDF cards, CSV export and the QR link."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.vouchers.factories import VoucherBatchFactory, VoucherFactory
from vouchers import printing
from vouchers.models import VoucherSettings


@pytest.fixture
def batch(org_a, package_a, in_tenant):
    with in_tenant(org_a):
        batch = VoucherBatchFactory(organization=org_a, package=package_a, quantity=30)
        for index in range(30):
            VoucherFactory(
                organization=org_a, package=package_a, batch=batch, pin=f"{4000 + index}"
            )
    return batch


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def _media_box(pdf: bytes) -> list[float]:
    box = re.search(rb"/MediaBox \[ ?([\d. ]+)\]", pdf).group(1).split()
    return [float(value) for value in box]


def test_a4_sheet_has_one_card_per_grid_cell(client_a, batch):
    response = client_a.get(
        reverse("vouchers:batch_pdf", args=[batch.pk]),
        {"paper": "a4", "columns": "3", "rows": "8", "show_qr": "on", "only_unused": "on"},
    )
    pdf = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert f"vouchers-batch-{batch.pk}.pdf" in response["Content-Disposition"]
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) == 2  # 30 cards, 24 per page
    width, height = _media_box(pdf)[2:]
    assert (round(width), round(height)) == (595, 842)


@pytest.mark.parametrize(("paper", "points"), [("roll58", 164), ("roll80", 227)])
def test_thermal_rolls_print_one_card_per_page_at_roll_width(client_a, batch, paper, points):
    response = client_a.get(
        reverse("vouchers:batch_pdf", args=[batch.pk]), {"paper": paper, "show_qr": "on"}
    )
    pdf = b"".join(response.streaming_content)
    # only_unused unticked: every voucher of the batch
    assert _pages(pdf) == 30
    assert round(_media_box(pdf)[2]) == points


def test_only_unused_vouchers_are_printed_by_default(client_a, batch, org_a, in_tenant):
    with in_tenant(org_a):
        batch.vouchers.filter(pk__in=list(batch.vouchers.values_list("pk", flat=True)[:10])).update(
            status="revoked"
        )
    response = client_a.get(
        reverse("vouchers:batch_pdf", args=[batch.pk]),
        {"paper": "roll58", "show_qr": "on", "only_unused": "on"},
    )
    assert _pages(b"".join(response.streaming_content)) == 20


def test_bad_grid_is_refused_with_a_message(client_a, batch):
    response = client_a.get(
        reverse("vouchers:batch_pdf", args=[batch.pk]),
        {"paper": "a4", "columns": "40"},
        follow=True,
    )
    assert "at most 6 × 12" in response.content.decode()


def test_qr_link_defaults_to_the_landing_page_and_can_be_changed(
    org_a, package_a, settings, in_tenant
):
    settings.SITE_URL = "https://app.nettportal.test"
    settings.VOUCHER_QR_URL_TEMPLATE = ""
    default = printing.qr_template_for(None, None)
    assert printing.qr_url(default, code="NET-7K4M-Q9RT", organization_slug=org_a.slug) == (
        f"https://app.nettportal.test/p/{org_a.slug}/?code=NET-7K4M-Q9RT"
    )
    with in_tenant(org_a):
        row = VoucherSettings.objects.create(
            organization=org_a, qr_url_template="https://wifi.test/{org}/{code}"
        )
        batch = VoucherBatchFactory(
            organization=org_a, package=package_a, qr_url_template="https://promo.test/?v={code}"
        )
    assert printing.qr_template_for(None, row) == "https://wifi.test/{org}/{code}"
    assert printing.qr_template_for(batch, row) == "https://promo.test/?v={code}"


def test_qr_matrix_encodes_the_link():
    matrix = printing.qr_matrix("https://app.test/p/demo/?code=NET-7K4M-Q9RT")
    assert len(matrix) in (25, 29, 33, 37)  # a version-2..5 symbol for a ~45-byte link
    # finder pattern in the top-left corner
    assert matrix[0][:7] == [True] * 7


def test_price_falls_back_to_the_currency_code_without_a_unicode_font(monkeypatch):
    monkeypatch.setattr(printing, "fonts", lambda: {"ttf": ""})
    assert printing.printable_price(Decimal("5"), "GHS") == "GHS 5.00"
    monkeypatch.setattr(printing, "fonts", lambda: {"ttf": "1"})
    assert printing.printable_price(Decimal("5"), "GHS") == "₵5.00"


def test_csv_export_has_every_voucher_and_no_formula_cells(
    client_a, batch, org_a, package_a, in_tenant
):
    with in_tenant(org_a):
        package_a.name = "=HYPERLINK(1)"
        package_a.save()
    response = client_a.get(reverse("vouchers:batch_csv", args=[batch.pk]))
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["code", "pin", "package"]
    assert len(rows) == 31
    with in_tenant(org_a):
        codes = set(batch.vouchers.values_list("code", flat=True))
    assert {row[0] for row in rows[1:]} == codes
    assert all(row[2] == "'=HYPERLINK(1)" for row in rows[1:])
    assert rows[1][3] == "5.00" and rows[1][4] == "GHS"


def test_big_batches_print_in_parts(client_a, batch, monkeypatch):
    monkeypatch.setattr("vouchers.views.batches.PRINT_PART_SIZE", 12)
    page = client_a.get(reverse("vouchers:batch_detail", args=[batch.pk])).content.decode()
    assert "Part 3 (12 cards each)" in page
    response = client_a.get(
        reverse("vouchers:batch_pdf", args=[batch.pk]),
        {"paper": "roll80", "show_qr": "on", "only_unused": "on", "part": "3"},
    )
    assert "part3" in response["Content-Disposition"]
    assert _pages(b"".join(response.streaming_content)) == 6  # 30 = 12 + 12 + 6

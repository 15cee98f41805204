"""An operator creates a package, prints a batch, downloads the PDF and redeems a code."""

import pytest

from accounts.tenancy import tenant
from vouchers.models import Voucher, VoucherBatch


@pytest.mark.django_db(transaction=True)
def test_package_batch_pdf_and_redemption(page, login_as, owner_a, org_a, sim_router, settings):
    settings.ROUTER_CONNECT_TIMEOUT = 2
    router = sim_router(org_a, name="Accra Mall")
    login_as(owner_a)

    # when the operator creates a package
    page.click(".sidebar >> text=Packages & vouchers")
    page.click("text=Create your first package")
    page.fill("input[name=name]", "1 Day")
    page.fill("input[name=price]", "5")
    page.fill("input[name=validity_0]", "1")
    page.select_option("select[name=validity_1]", "days")
    page.fill("input[name=data_limit_bytes_0]", "2")
    page.fill("input[name=rate_limit]", "2M/5M")
    page.click("button:has-text('Create package')")

    # then the package page shows it, in sync with the router
    page.wait_for_url("**/vouchers/packages/*/")
    assert page.locator("h1", has_text="1 Day").is_visible()
    assert page.locator("text=₵5.00").first.is_visible()
    page.reload()
    assert page.locator("td .badge", has_text="In sync").is_visible()
    assert any(p["name"] == "np-1-day" for p in router.sim.hotspot_profiles)

    # when they print a batch of 30 with a prefix and a PIN
    page.click("text=Print vouchers")
    page.fill("input[name=quantity]", "30")
    page.fill("input[name=prefix]", "NET")
    page.select_option("select[name=pin_length]", "4")
    page.fill("input[name=note]", "Shop counter")
    page.click("button:has-text('Generate vouchers')")
    page.wait_for_url("**/vouchers/batches/*/")
    page.reload()
    assert page.locator("h1 .badge", has_text="Ready").is_visible()

    # and download the PDF
    with page.expect_download() as download_info:
        page.click("button:has-text('Download PDF')")
    download = download_info.value
    assert download.suggested_filename.startswith("vouchers-batch-")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # and redeem one code for a customer at the counter
    with tenant(org_a):
        batch = VoucherBatch.objects.get()
        voucher = batch.vouchers.order_by("pk").first()
    page.goto(f"/vouchers/codes/?q={voucher.code}")
    page.click(f"a.code:has-text('{voucher.code}')")
    page.click("text=Redeem for a customer")
    page.select_option("select[name=router]", str(router.pk))
    page.fill("input[name=mac]", "02:AA:BB:CC:DD:01")
    page.fill("input[name=ip]", "10.5.50.7")
    page.click("button:has-text('Redeem')")

    # then the device is online on the router and the voucher is in use
    assert page.locator("text=Redeemed, and the device is online.").is_visible()
    assert page.locator("h1 .badge", has_text="In use").is_visible()
    assert [s["user"] for s in router.sim.hotspot_active] == [voucher.code]
    with tenant(org_a):
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.ACTIVE

import pytest

from accounts.roles import Role
from accounts.tenancy import tenant
from customers.models import Customer
from tests.accounts.factories import MembershipFactory, OrganizationFactory

CSV = (
    "name,phone,email,tags\n"
    "Ama Mensah,024 412 3456,ama@example.test,vip\n"
    "Kofi Boateng,12345,kofi@example.test,\n"
    "Yaw Ofori,+233 20 111 2222,,estate-7\n"
)


@pytest.mark.django_db(transaction=True)
def test_import_with_a_bad_row_then_find_by_phone_and_suspend(page, login_as):
    # given an operator logged in to an organisation with no customers
    organization = OrganizationFactory(name="Kumasi Wi-Fi", country="GH")
    owner = MembershipFactory(organization=organization, role=Role.OWNER).user
    login_as(owner)

    # when they upload a CSV file whose second row has a bad phone number
    page.goto("/customers/")
    page.click("text=Import CSV")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "customers.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
    )
    page.click("button:has-text('Upload and check')")

    # then the preview reports that row, and nothing is saved yet
    page.wait_for_url("**/customers/import/*/")
    errors = page.locator("[data-testid=import-errors]")
    assert errors.locator("tr.row-error").count() == 1
    assert "Kofi Boateng" in errors.inner_text()
    assert "not a valid phone number" in errors.inner_text()
    assert page.locator("[data-testid=valid-count]").inner_text() == "2"
    with tenant(organization):
        assert not Customer.objects.exists()

    # when they import the valid rows
    page.click("[data-testid=import-valid]")

    # then two customers exist and the report can be downloaded
    page.wait_for_selector("text=2 customers imported.")
    assert page.locator("[data-testid=import-status]").inner_text() == "Imported"
    with page.expect_download() as download_info:
        page.click("[data-testid=import-report]")
    report = open(download_info.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert "skipped" in report and report.count("imported") == 2
    with tenant(organization):
        assert sorted(Customer.objects.values_list("name", flat=True)) == [
            "Ama Mensah",
            "Yaw Ofori",
        ]

    # when they look Ama up by her number written another way (live search)
    page.click("text=See the customers")
    page.fill("input[name=q]", "+233 24 412 3456")
    page.wait_for_function("document.querySelectorAll('#customer-results tbody tr').length === 1")
    assert "Yaw Ofori" not in page.locator("#customer-results").inner_text()
    assert "024 412 3456" in page.locator("#customer-results").inner_text()

    # and suspend her, confirming when asked
    page.click("#customer-results >> text=Ama Mensah")
    page.click("a.button:has-text('Suspend')")
    assert page.locator("text=Suspend Ama Mensah?").is_visible()
    page.click("button:has-text('Suspend customer')")

    # then her page shows her suspended
    page.wait_for_selector("text=Ama Mensah is now suspended.")
    assert page.locator("[data-testid=customer-status]").inner_text() == "Suspended"
    with tenant(organization):
        assert Customer.objects.get(name="Ama Mensah").status == Customer.Status.SUSPENDED
        assert Customer.objects.get(name="Yaw Ofori").status == Customer.Status.ACTIVE

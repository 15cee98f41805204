import json
import re
import zipfile

import pytest

from accounts.models import Organization
from accounts.roles import Role
from accounts.tenancy import tenant
from privacy.models import AccountDeletion, DataExport
from tests.accounts.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory


@pytest.fixture
def owner(db):
    organization = OrganizationFactory(name="Tamale Hotspots")
    MembershipFactory(organization=organization, role=Role.VIEWER)  # a second member
    return MembershipFactory(organization=organization, role=Role.OWNER).user


@pytest.mark.django_db(transaction=True)
def test_export_shows_progress_and_downloads_a_zip_with_a_manifest(
    page, login_as, owner, settings, tmp_path, monkeypatch
):
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    queued = []
    # The worker is played by this test: the task is queued, not run inline,
    # so the page shows the job waiting before it runs.
    monkeypatch.setattr("privacy.tasks.export_build_task.delay", lambda *args: queued.append(args))
    login_as(owner)

    # when the owner asks for an export
    page.click(".sidebar >> text=Privacy")
    page.click("a.button:has-text('Exports')")
    page.click("#export-request")

    # then a progress bar appears for the queued job
    progress = page.locator("[role=progressbar]").first
    progress.wait_for()
    assert page.locator(".job .badge", has_text="Queued").is_visible()
    assert len(queued) == 1

    # when the worker runs it, the page (polling) turns into a download
    from privacy.tasks import export_build_task

    export_build_task(*queued[0])
    organization = Organization.objects.get(name="Tamale Hotspots")
    with tenant(organization):
        export = DataExport.objects.get()
    assert export.status == DataExport.Status.READY
    link = page.locator(f"#export-download-{export.pk}")
    link.wait_for()
    assert page.locator(".job .badge", has_text="Finished").first.is_visible()
    assert progress.get_attribute("aria-valuenow") == "100"
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()

    # then the ZIP opens and its manifest describes the data
    archive = zipfile.ZipFile(path)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "nettportal-export"
    assert manifest["scope"]["organization"]["name"] == "Tamale Hotspots"
    assert manifest["counts"]["accounts.Membership"] == 2
    assert "data/members/accounts.User.csv" in archive.namelist()


@pytest.mark.django_db(transaction=True)
def test_schedule_and_cancel_an_account_deletion(page, login_as, owner, mail_outbox):
    login_as(owner)
    page.goto("/privacy-center/deletion/")

    # when the owner types the name and confirms with the password
    page.fill("input[name=confirm_name]", "Tamale Hotspots")
    page.click("#deletion-schedule")
    page.wait_for_url("**/account/reauthenticate/**")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")

    # then the deletion is scheduled 30 days out and the organisation is suspended
    page.wait_for_url("**/privacy-center/deletion/")
    assert page.locator("#deletion-scheduled").is_visible()
    assert page.locator("#deletion-banner").is_visible()
    deletion = AccountDeletion.objects.get()
    assert deletion.status == AccountDeletion.Status.SCHEDULED
    assert (deletion.scheduled_for - deletion.requested_at).days == 30
    assert any("will be deleted on" in message.subject for message in mail_outbox)
    page.goto("/dashboard/")
    page.wait_for_url("**/privacy-center/deletion/")  # suspended: only the privacy centre

    # when they cancel
    page.click("#deletion-cancel")

    # then the organisation is back
    assert page.locator(".messages", has_text=re.compile("cancelled", re.I)).is_visible()
    deletion.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.CANCELLED
    page.goto("/dashboard/")
    page.wait_for_url("**/dashboard/")
    assert Organization.objects.get(name="Tamale Hotspots").status == Organization.Status.ACTIVE

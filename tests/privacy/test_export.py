import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from nettportal.models import BackgroundJob
from notifications.models import Notification
from privacy.datasets import organization_export_classes, organization_rows
from privacy.models import AccessLog, DataExport
from privacy.services import exports as export_services

pytestmark = pytest.mark.django_db


def _export(organization, actor, on_commit):
    with on_commit(), tenant(organization):
        export = export_services.organization_export_request(organization=organization, actor=actor)
    with tenant(organization):
        export.refresh_from_db()
    return export


def _zip(export):
    return zipfile.ZipFile(export_services.export_file_path(export))


def _plant_secrets(world):
    owner = world.users[Role.OWNER]
    Authenticator.objects.create(
        user=owner, type=Authenticator.Type.TOTP, data={"secret": "TOTPSECRETVALUE42"}
    )
    address = EmailAddress.objects.get(user=owner)
    EmailConfirmation.objects.create(email_address=address, key="CONFIRMKEYSECRET42")
    return ["TOTPSECRETVALUE42", "CONFIRMKEYSECRET42", owner.password]


def test_export_contains_every_classified_model_and_no_secret(worlds, on_commit):
    # given two organisations and secrets stored for A's owner
    world_a, world_b = worlds
    secrets = _plant_secrets(world_a)
    owner = world_a.users[Role.OWNER]

    # when A's owner exports
    export = _export(world_a.organization, owner, on_commit)

    # then the ZIP has a manifest and a JSON + CSV file for every exportable data class
    assert export.status == DataExport.Status.READY
    archive = _zip(export)
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "nettportal-export"
    assert manifest["format_version"] == 1
    assert manifest["scope"]["organization"]["id"] == world_a.organization.pk
    exported = {entry["label"]: entry for entry in manifest["data_classes"]}
    expected = {dc.label for dc in organization_export_classes()}
    assert set(exported) == expected
    for label in (
        "accounts.Organization",
        "accounts.User",
        "accounts.Membership",
        "privacy.AccessLog",
        "privacy.PrivacyRequest",
        "privacy.PolicyAcceptance",
    ):
        assert label in exported
    with all_tenants():
        for data_class in organization_export_classes():
            entry = exported[data_class.label]
            assert entry["files"]["json"] in names and entry["files"]["csv"] in names
            rows = organization_rows(data_class, world_a.organization).count()
            if data_class.label == "notifications.Notification":
                # the "export is ready" notice is written after the archive
                rows -= Notification.objects.filter(
                    organization=world_a.organization, event="export.ready"
                ).count()
            assert entry["rows"] == rows == manifest["counts"][data_class.label]
            assert not set(entry["fields"]) & data_class.all_secret_fields()
    # and no secret value and nothing of organisation B anywhere in the archive
    everything = b"".join(archive.read(name) for name in names).decode()
    for secret in secrets:
        assert secret not in everything
    assert "password" not in exported["accounts.User"]["fields"]
    assert "password" in exported["accounts.User"]["omitted_secret_fields"]
    assert world_b.marker.lower() not in everything.lower()
    assert world_a.marker in everything


def test_json_and_csv_hold_the_same_rows(worlds, on_commit):
    world_a, _world_b = worlds
    export = _export(world_a.organization, world_a.users[Role.OWNER], on_commit)
    archive = _zip(export)
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["data_classes"]:
        rows = json.loads(archive.read(entry["files"]["json"]))
        table = list(csv.reader(io.StringIO(archive.read(entry["files"]["csv"]).decode())))
        assert table[0] == entry["fields"]
        assert len(rows) == len(table) - 1 == entry["rows"]
        assert [str(row["id"]) for row in rows] == [line[0] for line in table[1:]]


def test_progress_reaches_the_total_and_the_requester_gets_a_link(worlds, on_commit):
    world_a, _world_b = worlds
    owner = world_a.users[Role.OWNER]
    mail.outbox.clear()

    export = _export(world_a.organization, owner, on_commit)

    with tenant(world_a.organization):
        job = BackgroundJob.objects.get(pk=export.job_id)
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.total == job.done == export.total_rows > 0
    assert export.expires_at - export.finished_at == timedelta(days=7)
    [message] = [m for m in mail.outbox if owner.email in m.to]
    assert "/privacy-center/exports/" in message.body and "?t=" in message.body
    with tenant(world_a.organization):
        assert AccessLog.objects.filter(
            organization=world_a.organization, action="export", actor=owner
        ).exists()


def test_download_needs_the_signed_link_and_a_privacy_member(worlds, on_commit, client):
    world_a, world_b = worlds
    owner = world_a.users[Role.OWNER]
    export = _export(world_a.organization, owner, on_commit)
    path = export_services.export_download_path(export)

    # a viewer of the same organisation may not download
    client.force_login(world_a.users[Role.VIEWER])
    assert client.get(path).status_code == 403
    # B's owner gets a 404 (the export is not theirs), even with the valid link
    client.force_login(world_b.users[Role.OWNER])
    assert client.get(path).status_code == 404
    # a tampered link is refused
    client.force_login(owner)
    assert client.get(path[:-3] + "xyz").status_code == 410
    # the owner with the link gets the ZIP
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert json.loads(zipfile.ZipFile(io.BytesIO(body)).read("manifest.json"))["total_rows"] > 0
    with tenant(world_a.organization):
        export.refresh_from_db()
    assert export.download_count == 1


def test_link_stops_working_after_seven_days_and_the_file_is_removed(worlds, on_commit, client):
    world_a, _world_b = worlds
    owner = world_a.users[Role.OWNER]
    export = _export(world_a.organization, owner, on_commit)
    path = export_services.export_download_path(export)
    file_path = export_services.export_file_path(export)
    assert file_path.exists()

    counts = export_services.exports_expire(now=timezone.now() + timedelta(days=7, minutes=1))

    assert counts["expired"] >= 1
    assert not file_path.exists()
    with tenant(world_a.organization):
        export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_only_one_export_at_a_time(worlds):
    world_a, _world_b = worlds
    owner = world_a.users[Role.OWNER]
    with tenant(world_a.organization):
        first = export_services.organization_export_request(
            organization=world_a.organization, actor=owner
        )
        with pytest.raises(export_services.Conflict):
            export_services.organization_export_request(
                organization=world_a.organization, actor=owner
            )
        assert DataExport.objects.filter(status=DataExport.Status.QUEUED).count() == 1
        assert first.status == DataExport.Status.QUEUED


def test_build_runs_once_even_if_the_task_is_delivered_twice(worlds, on_commit):
    world_a, _world_b = worlds
    export = _export(world_a.organization, world_a.users[Role.OWNER], on_commit)
    with tenant(world_a.organization):
        assert export_services.export_build(export_id=export.pk) is None
        export.refresh_from_db()
    assert export.status == DataExport.Status.READY


def test_viewer_cannot_request_an_export(worlds, client):
    world_a, _world_b = worlds
    client.force_login(world_a.users[Role.VIEWER])
    response = client.post("/privacy-center/exports/")
    assert response.status_code == 403
    with tenant(world_a.organization):
        assert not DataExport.objects.filter(status=DataExport.Status.QUEUED).exists()


def test_export_page_shows_progress_and_download(
    worlds, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    world_a, _world_b = worlds
    client.force_login(world_a.users[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/privacy-center/exports/", follow=True)
    assert response.status_code == 200
    with tenant(world_a.organization):
        export = DataExport.objects.filter(requested_by=world_a.users[Role.ADMIN]).get()
    status = client.get(f"/privacy-center/exports/{export.pk}/status/")
    assert 'role="progressbar"' in status.content.decode()
    assert "Download ZIP" in status.content.decode()
    with django_assert_max_num_queries(14):
        page = client.get("/privacy-center/exports/")
    assert page.status_code == 200


def test_expired_files_without_rows_are_cleaned_up(settings, db):
    root = settings.PRIVACY_EXPORT_ROOT
    orphan = root / "999" / "old.zip"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"zip")
    old = (timezone.now() - timedelta(hours=5)).timestamp()
    import os

    os.utime(orphan, (old, old))
    assert export_services.exports_expire()["orphans"] == 1
    assert not orphan.exists()


def test_values_keep_their_types_and_timestamps_are_iso_utc(worlds, on_commit):
    import datetime

    world_a, _world_b = worlds
    export = _export(world_a.organization, world_a.users[Role.OWNER], on_commit)
    archive = _zip(export)
    rows = json.loads(archive.read("data/access_log/privacy.AccessLog.json"))
    with tenant(world_a.organization):
        stored = {entry.pk: entry for entry in AccessLog.objects.all()}
    for row in rows:
        entry = stored[row["id"]]
        at = datetime.datetime.fromisoformat(row["at"])
        assert at == entry.at and at.utcoffset() == datetime.timedelta(0)
        assert row["detail"] == entry.detail  # nested JSON stays JSON
        assert row["organization_id"] == world_a.organization.pk
    members = json.loads(archive.read("data/members/accounts.User.json"))
    assert all(isinstance(member["is_active"], bool) for member in members)
    table = list(
        csv.DictReader(io.StringIO(archive.read("data/members/accounts.User.csv").decode()))
    )
    assert {row["is_active"] for row in table} == {"true"}

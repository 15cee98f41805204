"""The operator's duties for one customer: export, correction, erasure.

These need ``customers.Customer`` (the customers app). They are skipped, with
the reason shown, only while that model does not exist.
"""

import dataclasses
import io
import json
import zipfile

import pytest
from django.db import transaction

from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from privacy.datasets import customer_classes, customer_rows
from privacy.models import AccessLog, DataExport, PrivacyRequest
from privacy.registry import CUSTOMER_MODEL, REGISTRY, customer_model
from privacy.services import exports as export_services

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        customer_model() is None,
        reason="customers.Customer does not exist yet (the customers app lands separately)",
    ),
]

HOOK_CALLS = []


def recording_hook(*, organization, instances, reason):
    HOOK_CALLS.append((organization.pk, [obj.pk for obj in instances], reason))


def _customer(organization, **fields):
    from tests.customers import factories

    with tenant(organization):
        customer = factories.CustomerFactory(organization=organization, **fields)
        # one row of every per-customer model the customers tests know how to make
        for data_class in customer_classes():
            if data_class.label == CUSTOMER_MODEL:
                continue
            factory = getattr(factories, f"{data_class.model.__name__}Factory", None)
            path = data_class.resolved_customer_path()
            if factory is None or "__" in path:
                continue
            with transaction.atomic():
                factory(organization=organization, **{path: customer})
    return customer


@pytest.fixture
def two_customers(org_a, org_b):
    keep = _customer(org_a, name="Keep Mensah", email="keep@example.test")
    erase = _customer(org_a, name="Erase Owusu", email="erase@example.test")
    foreign = _customer(org_b, name="Bravo Customer", email="bravo@example.test")
    return keep, erase, foreign


def _counts(organization, customer):
    with all_tenants():
        return {
            dc.label: customer_rows(dc, organization, customer.pk).count()
            for dc in customer_classes()
        }


def test_one_customers_export_holds_only_that_customer(org_a, owner_a, two_customers, on_commit):
    _keep, erase, _foreign = two_customers
    with on_commit(), tenant(org_a):
        export = export_services.customer_export_request(
            organization=org_a, actor=owner_a, customer=erase
        )
    with tenant(org_a):
        export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    archive = zipfile.ZipFile(export_services.export_file_path(export))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["scope"]["kind"] == "customer"
    assert manifest["counts"][CUSTOMER_MODEL] == 1
    text = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert "erase@example.test" in text
    assert "keep@example.test" not in text and "bravo@example.test" not in text
    for label, count in _counts(org_a, erase).items():
        if REGISTRY[label].export:
            assert manifest["counts"][label] == count


def test_correction_through_the_privacy_centre(org_a, client_a, two_customers):
    _keep, erase, _foreign = two_customers
    url = f"/privacy-center/customers/{erase.pk}/correct/"
    form = client_a.get(url).context["form"]
    data = {name: form.initial.get(name, "") or "" for name in form.fields}
    data = {k: ("on" if v is True else "" if v is False else v) for k, v in data.items()}

    bad = client_a.post(url, {**data, "email": "not-an-email"})
    assert bad.status_code == 200
    with tenant(org_a):
        erase.refresh_from_db()
    assert erase.email == "erase@example.test"

    client_a.post(url, {**data, "email": "new-address@example.test"})
    with tenant(org_a):
        erase.refresh_from_db()
        assert erase.email == "new-address@example.test"
        entry = AccessLog.objects.filter(action="change", target_id=str(erase.pk)).get()
    assert entry.detail["fields"] == ["email"]


def test_erasure_removes_the_customer_and_keeps_the_others(
    org_a, owner_a, client_a, two_customers, monkeypatch
):
    keep, erase, foreign = two_customers
    HOOK_CALLS.clear()
    entry = REGISTRY[CUSTOMER_MODEL]
    monkeypatch.setitem(
        REGISTRY,
        CUSTOMER_MODEL,
        dataclasses.replace(
            entry, erasure_hook="tests.privacy.test_customer_rights.recording_hook"
        ),
    )
    keep_before = _counts(org_a, keep)
    foreign_before = _counts(foreign.organization, foreign)
    with tenant(org_a):
        request = PrivacyRequest.objects.create(
            organization=org_a,
            reference="PR-ERASE1",
            kind="erasure",
            source="dashboard",
            requester_name="Erase Owusu",
            requester_email="erase@example.test",
            due_at=PrivacyRequest.due_from(erase.created_at),
        )

    page = client_a.get(f"/privacy-center/customers/{erase.pk}/erase/?request={request.pk}")
    assert "cannot be undone" in page.content.decode()
    client_a.post(
        f"/privacy-center/customers/{erase.pk}/erase/", {"confirm": "erase", "request": request.pk}
    )

    after = _counts(org_a, erase)
    for label, count in after.items():
        data_class = REGISTRY[label]
        if data_class.erasure == "delete":
            assert count == 0, label
    model = customer_model()
    with all_tenants():
        remaining = model._base_manager.filter(pk=erase.pk).first()
        values = (
            " ".join(str(getattr(remaining, name)) for name in entry.personal_fields)
            if remaining
            else ""
        )
    assert "erase@example.test" not in values and "Owusu" not in values
    assert [(org_a.pk, [erase.pk], "customer_erasure")] == HOOK_CALLS
    assert _counts(org_a, keep) == keep_before
    assert _counts(foreign.organization, foreign) == foreign_before
    with tenant(org_a):
        request.refresh_from_db()
        assert "Erased customer" in request.outcome
        assert AccessLog.objects.filter(action="delete", target_id=str(erase.pk)).exists()


def test_another_organisations_customer_is_a_404(client_a, two_customers):
    _keep, _erase, foreign = two_customers
    for suffix in ("", "correct/", "erase/"):
        assert client_a.get(f"/privacy-center/customers/{foreign.pk}/{suffix}").status_code == 404
    assert (
        client_a.post(
            f"/privacy-center/customers/{foreign.pk}/erase/", {"confirm": "erase"}
        ).status_code
        == 404
    )


def test_a_viewer_may_not_erase(org_a, make_member, client, two_customers):
    _keep, erase, _foreign = two_customers
    before = _counts(org_a, erase)
    client.force_login(make_member(org_a, Role.VIEWER))
    response = client.post(f"/privacy-center/customers/{erase.pk}/erase/", {"confirm": "erase"})
    assert response.status_code == 403
    assert _counts(org_a, erase) == before


def test_the_export_file_is_a_zip_download(org_a, client_a, two_customers, on_commit):
    _keep, erase, _foreign = two_customers
    with on_commit():
        client_a.post(f"/privacy-center/customers/{erase.pk}/export/")
    with tenant(org_a):
        export = DataExport.objects.get(kind=DataExport.Kind.CUSTOMER)
    response = client_a.get(export_services.export_download_path(export))
    body = b"".join(response.streaming_content)
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()

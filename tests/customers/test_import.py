import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tenancy import tenant
from customers.models import Customer, CustomerEvent, CustomerImport, Tag
from customers.services import imports as services
from nettportal.errors import Conflict, ValidationFailed
from nettportal.models import BackgroundJob
from privacy.models import AccessLog
from tests.customers.factories import CustomerFactory

GOOD_AND_BAD = (
    "Name,Phone number,E-mail,Tags,Marketing consent\n"
    "Ama Mensah,024 412 3456,ama@example.test,vip;estate-7,yes\n"
    "Kofi Boateng,12345,kofi@example.test,,no\n"  # bad phone
    "Yaw Ofori,+233 20 111 2222,,vip,\n"
    "Esi Duplicate,0244123456,,,\n"  # same phone as row 1
    ",0209998888,,,\n"  # no name
    "Akua Existing,0277000111,,,\n"  # already a customer
)


def _upload(client, text, name="customers.csv", encoding="utf-8"):
    upload = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    return client.post("/customers/import/", {"file": upload})


def _import(org):
    with tenant(org):
        return CustomerImport.objects.get()


def _report(client, customer_import):
    response = client.get(f"/customers/import/{customer_import.pk}/report.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def existing(org_a):
    with tenant(org_a):
        return CustomerFactory(organization=org_a, name="Akua", phone="+233277000111")


@pytest.mark.django_db
def test_preview_lists_each_bad_row_and_saves_nothing(client_a, org_a, existing):
    response = _upload(client_a, GOOD_AND_BAD)
    customer_import = _import(org_a)
    assert response.status_code == 302
    assert response["Location"] == f"/customers/import/{customer_import.pk}/"
    assert customer_import.status == CustomerImport.Status.VALIDATED
    assert (customer_import.row_count, customer_import.valid_count) == (6, 2)
    assert customer_import.error_count == 4
    errors = customer_import.errors
    assert errors["2"] == ["phone: This is not a valid phone number for its country."]
    assert errors["4"] == ["phone: the same number is on row 1 of this file."]
    assert errors["5"] == ["name: Enter the customer's name."]
    assert errors["6"] == ["phone: a customer with this number already exists."]
    with tenant(org_a):
        assert list(Customer.objects.values_list("name", flat=True)) == ["Akua"]
    page = client_a.get(response["Location"]).content.decode()
    assert "Import 2 valid rows" in page and "Import nothing" in page
    assert "a customer with this number already exists" in page


@pytest.mark.django_db
def test_importing_the_valid_rows_and_downloading_the_report(client_a, org_a, existing, owner_a):
    _upload(client_a, GOOD_AND_BAD)
    customer_import = _import(org_a)
    response = client_a.post(f"/customers/import/{customer_import.pk}/run/", {"mode": "valid_rows"})
    assert response.status_code == 302
    customer_import = _import(org_a)
    assert customer_import.status == CustomerImport.Status.IMPORTED
    assert customer_import.imported_count == 2
    with tenant(org_a):
        ama = Customer.objects.get(name="Ama Mensah")
        assert ama.phone == "+233244123456" and ama.marketing_consent
        assert ama.source == Customer.Source.IMPORT
        assert sorted(ama.tags.values_list("name", flat=True)) == ["estate-7", "vip"]
        yaw = Customer.objects.get(name="Yaw Ofori")
        assert not yaw.marketing_consent and yaw.phone == "+233201112222"
        assert Tag.objects.count() == 2
        assert CustomerEvent.objects.filter(kind=CustomerEvent.Kind.IMPORTED).count() == 2
        assert Customer.objects.count() == 3
    report = _report(client_a, customer_import)
    assert [row["outcome"] for row in report] == [
        "imported",
        "skipped",
        "imported",
        "skipped",
        "skipped",
        "skipped",
    ]
    assert report[1]["line"] == "3" and "valid phone" in report[1]["errors"]
    assert report[0]["Name"] == "Ama Mensah"  # the operator's own columns come back
    with tenant(org_a):
        actions = set(AccessLog.objects.values_list("action", flat=True))
    assert {AccessLog.Action.CREATE, AccessLog.Action.EXPORT} <= actions


@pytest.mark.django_db
def test_import_nothing_cancels(client_a, org_a):
    _upload(client_a, GOOD_AND_BAD)
    customer_import = _import(org_a)
    client_a.post(f"/customers/import/{customer_import.pk}/cancel/")
    assert _import(org_a).status == CustomerImport.Status.CANCELLED
    client_a.post(f"/customers/import/{customer_import.pk}/run/", {"mode": "valid_rows"})
    with tenant(org_a):
        assert not Customer.objects.exists()


@pytest.mark.django_db
def test_all_or_nothing_imports_nothing_when_a_row_became_invalid(client_a, org_a):
    _upload(client_a, "name,phone\nAma,0244123456\nKofi,0201112222\n")
    customer_import = _import(org_a)
    assert customer_import.error_count == 0
    with tenant(org_a):  # meanwhile someone adds Kofi's number by hand
        CustomerFactory(organization=org_a, name="Kofi (added by hand)", phone="+233201112222")
    client_a.post(f"/customers/import/{customer_import.pk}/run/", {"mode": "all_or_nothing"})
    customer_import = _import(org_a)
    assert customer_import.status == CustomerImport.Status.VALIDATED
    assert "nothing was imported" in customer_import.message
    assert customer_import.errors == {"2": ["phone: a customer with this number already exists."]}
    with tenant(org_a):
        assert list(Customer.objects.values_list("name", flat=True)) == ["Kofi (added by hand)"]
    # the operator then takes the valid rows
    client_a.post(f"/customers/import/{customer_import.pk}/run/", {"mode": "valid_rows"})
    with tenant(org_a):
        assert Customer.objects.filter(name="Ama").exists()


@pytest.mark.django_db
def test_all_or_nothing_is_refused_when_the_preview_has_errors(org_a, owner_a, client_a):
    _upload(client_a, GOOD_AND_BAD)
    customer_import = _import(org_a)
    with tenant(org_a), pytest.raises(ValidationFailed):
        services.customer_import_start(
            customer_import=customer_import, actor=owner_a, mode="all_or_nothing"
        )
    assert _import(org_a).status == CustomerImport.Status.VALIDATED


@pytest.mark.django_db
def test_an_import_runs_once(client_a, org_a, owner_a):
    _upload(client_a, "name\nAma\n")
    customer_import = _import(org_a)
    with tenant(org_a):
        services.customer_import_start(
            customer_import=customer_import, actor=owner_a, mode="all_or_nothing"
        )
        with pytest.raises(Conflict):
            services.customer_import_start(
                customer_import=customer_import, actor=owner_a, mode="all_or_nothing"
            )
        services.customer_import_execute(customer_import_id=customer_import.pk)
        services.customer_import_execute(customer_import_id=customer_import.pk)
        assert Customer.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The submitted file is empty."),
        ("\n\n", "The file is empty."),
        ("phone,email\n0244123456,a@b.test\n", "at least a “name” column"),
        ("name\n", "has a header but no rows"),
        ("name,Name\nAma,Ama\n", "appears twice"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_at_upload(client_a, org_a, text, message):
    response = _upload(client_a, text)
    assert response.status_code == 200
    assert message in response.content.decode()
    with tenant(org_a):
        assert not CustomerImport.objects.exists()


@pytest.mark.django_db
def test_too_many_rows_is_refused(client_a, org_a, settings):
    settings.CUSTOMERS_IMPORT_MAX_ROWS = 2
    response = _upload(client_a, "name\nA\nB\nC\n")
    assert "import at most 2 at once" in response.content.decode()


@pytest.mark.django_db
def test_spreadsheet_flavours_are_read(client_a, org_a):
    text = "\ufeffNom;Téléphone;email\nJosé Ñúñez;024 412 3456;jose@example.test\n"
    text = text.replace("Nom", "name").replace("Téléphone", "phone")
    _upload(client_a, text, encoding="utf-8")
    assert _import(org_a).valid_count == 1
    with tenant(org_a):
        CustomerImport.objects.all().delete()
    _upload(client_a, "name;phone\nJosé;0244123457\n", encoding="cp1252")
    customer_import = _import(org_a)
    client_a.post(f"/customers/import/{customer_import.pk}/run/", {"mode": "all_or_nothing"})
    with tenant(org_a):
        assert Customer.objects.get().name == "José"


@pytest.mark.django_db
def test_bad_type_status_consent_and_extra_cells_are_reported(client_a, org_a):
    _upload(
        client_a,
        "name,type,status,marketing_consent\n"
        "A,wifi,active,yes\nB,hotspot,deleted,no\nC,hotspot,active,maybe\nD,,,,extra\n",
    )
    errors = _import(org_a).errors
    assert errors["1"] == ["type: write hotspot or pppoe."]
    assert errors["2"] == ["status: write active, suspended or closed."]
    assert errors["3"] == ["marketing_consent: Write yes or no."]
    assert errors["4"] == ["The row has more cells than the header has columns."]


@pytest.mark.django_db
def test_pppoe_rows_need_a_known_package(client_a, org_a):
    _upload(
        client_a,
        "name,type,pppoe_username,pppoe_password,package\n"
        "A,pppoe,alice,secret-1,Gold Unlimited\n"
        "B,pppoe,bob,secret-2,\n",
    )
    errors = _import(org_a).errors
    assert "package: unknown package “Gold Unlimited”." in errors["1"]
    assert "package: a PPPoE customer needs a package." in errors["2"]


@pytest.mark.django_db
def test_large_files_are_checked_and_imported_by_a_worker_with_progress(
    client_a, org_a, settings, django_capture_on_commit_callbacks
):
    settings.CUSTOMERS_IMPORT_INLINE_ROWS = 5
    rows = "".join(f"Person {n},02440{n:05d}\n" for n in range(40))
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client_a, "name,phone\n" + rows)
    customer_import = _import(org_a)
    assert customer_import.status == CustomerImport.Status.VALIDATED
    assert customer_import.valid_count == 40
    with tenant(org_a):
        job = BackgroundJob.objects.get(pk=customer_import.job_id)
    assert job.status == BackgroundJob.Status.SUCCEEDED and job.done == job.total == 40
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(f"/customers/import/{customer_import.pk}/run/", {"mode": "all_or_nothing"})
    with tenant(org_a):
        assert Customer.objects.count() == 40
        assert BackgroundJob.objects.filter(status=BackgroundJob.Status.SUCCEEDED).count() == 2


@pytest.mark.django_db
def test_progress_page_polls_until_done(client_a, org_a, settings):
    settings.CUSTOMERS_IMPORT_INLINE_ROWS = 0
    _upload(client_a, "name\nAma\n")  # no on_commit run: the worker has not started
    customer_import = _import(org_a)
    page = client_a.get(f"/customers/import/{customer_import.pk}/").content.decode()
    assert 'role="progressbar"' in page and "/status/" in page
    assert client_a.get(f"/customers/import/{customer_import.pk}/status/").status_code == 204
    with tenant(org_a):
        services.customer_import_validate(customer_import_id=customer_import.pk)
    done = client_a.get(f"/customers/import/{customer_import.pk}/status/")
    assert done["HX-Redirect"] == f"/customers/import/{customer_import.pk}/"


@pytest.mark.django_db
def test_csv_injection_is_neutralised_in_the_report(client_a, org_a):
    _upload(client_a, "name,notes\n=cmd|' /C calc'!A0,@SUM(1)\n")
    report = _report(client_a, _import(org_a))
    assert report[0]["name"].startswith("'=")
    assert report[0]["notes"].startswith("'@")


@pytest.mark.django_db
def test_old_imports_are_swept_with_their_files(client_a, org_a, on_commit, settings):
    """Imports follow CUSTOMERS_IMPORT_KEEP_DAYS through the privacy retention
    sweep; the erasure hook removes the stored CSV once the deletion commits."""
    from accounts.tenancy import all_tenants
    from privacy.services.retention import retention_sweep

    settings.CUSTOMERS_IMPORT_KEEP_DAYS = 7
    _upload(client_a, "name\nAma\n")
    old_import = _import(org_a)
    _upload(client_a, "name\nKofi\n")
    with all_tenants():
        young_import = CustomerImport.objects.exclude(pk=old_import.pk).get()
        CustomerImport.objects.filter(pk=old_import.pk).update(
            created_at=timezone.now() - timedelta(days=8)
        )
        CustomerImport.objects.filter(pk=young_import.pk).update(
            created_at=timezone.now() - timedelta(days=6)
        )
    storage = services.storage()
    assert storage.exists(old_import.file_path)

    with on_commit():
        retention_sweep()

    assert not storage.exists(old_import.file_path)
    assert storage.exists(young_import.file_path)
    with all_tenants():
        assert list(CustomerImport.objects.values_list("pk", flat=True)) == [young_import.pk]

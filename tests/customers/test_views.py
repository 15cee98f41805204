import csv
import io
import json

import pytest

from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from customers.models import Customer, CustomerEvent
from privacy.models import AccessLog
from tests.customers.factories import (
    CustomerDeviceFactory,
    CustomerEventFactory,
    CustomerFactory,
    TagFactory,
)

# The target for every list and detail page, including the request's fixed cost (session,
# user, membership). Measured with an in-memory cache, as production's Redis costs no
# database queries (the SQLite default's database cache would add its own).
LIST_QUERIES = 15
DETAIL_QUERIES = 15


def _content(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _logged(org, **filters):
    with tenant(org):
        return list(AccessLog.objects.filter(**filters))


@pytest.fixture
def warm(client_a, settings):
    """A cache like production's (no database queries) and one request first: logging
    in records the session once, which is not the page's cost."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client_a.get("/dashboard/")
    return client_a


def _seed(org, count, start=0):
    with tenant(org):
        tag = TagFactory(organization=org, name=f"bulk-{start}")
        for index in range(start, start + count):
            customer = CustomerFactory(organization=org, name=f"Person {index:03d}", tags=[tag])
            CustomerDeviceFactory(customer=customer, organization=org)


@pytest.mark.django_db
def test_list_shows_national_phone_and_logs_the_view(client_a, org_a, owner_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, name="Ama Mensah", phone="+233244123456")
    response = client_a.get("/customers/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ama Mensah" in body and "024 412 3456" in body
    (entry,) = _logged(org_a, action=AccessLog.Action.VIEW, target_type="customers.Customer")
    assert entry.actor == owner_a and entry.detail["ids"] == [customer.pk]
    assert "Ama" not in json.dumps(entry.detail)


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(warm, org_a, django_assert_max_num_queries):
    client_a = warm
    from customers.selectors import customers_changed

    _seed(org_a, 3)
    customers_changed(org_a.pk)  # both measurements start with nothing cached
    with django_assert_max_num_queries(LIST_QUERIES) as small_queries:
        small = client_a.get("/customers/?per_page=100")
    _seed(org_a, 120, start=3)
    customers_changed(org_a.pk)
    with django_assert_max_num_queries(LIST_QUERIES) as large_queries:
        large = client_a.get("/customers/?per_page=100")
    assert len(small_queries) == len(large_queries)
    assert small.content.count(b'class="row-select"') == 3
    assert large.content.count(b'class="row-select"') == 100
    with django_assert_max_num_queries(LIST_QUERIES):
        searched = client_a.get("/customers/?q=person&sort=name&status=active")
    assert searched.status_code == 200 and b"Person 000" in searched.content


@pytest.mark.django_db
def test_search_by_phone_through_the_page(client_a, org_a):
    with tenant(org_a):
        CustomerFactory(organization=org_a, name="Ama Mensah", phone="+233244123456")
        CustomerFactory(organization=org_a, name="Kofi Boateng", phone="+233201112222")
    response = client_a.get("/customers/", {"q": "024-412-3456"})
    assert b"Ama Mensah" in response.content and b"Kofi Boateng" not in response.content
    htmx = client_a.get("/customers/", {"q": "0201112222"}, HTTP_HX_REQUEST="true")
    assert b"Kofi Boateng" in htmx.content and b"<html" not in htmx.content


@pytest.mark.django_db
def test_empty_list_and_no_match_have_their_own_messages(client_a, org_a):
    assert b"No customers yet" in client_a.get("/customers/").content
    with tenant(org_a):
        CustomerFactory(organization=org_a)
    assert b"No customer matches" in client_a.get("/customers/?q=zzzz").content


@pytest.mark.django_db
def test_paging_links_follow_the_cursor(client_a, org_a):
    _seed(org_a, 30)
    first = client_a.get("/customers/?per_page=25&sort=name").content.decode()
    assert "Person 000" in first and "Person 025" not in first
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client_a.get("/customers/" + next_link.replace("&amp;", "&")).content.decode()
    assert "Person 025" in second and "Person 024" not in second


@pytest.mark.django_db
def test_detail_query_count_is_constant(warm, org_a, django_assert_max_num_queries):
    client_a = warm
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, tags=[TagFactory(organization=org_a)])
    with django_assert_max_num_queries(DETAIL_QUERIES) as few:
        assert client_a.get(f"/customers/{customer.pk}/").status_code == 200
    with tenant(org_a):
        for _ in range(30):
            CustomerDeviceFactory(customer=customer, organization=org_a)
            CustomerEventFactory(customer=customer, organization=org_a)
        customer.tags.add(*[TagFactory(organization=org_a) for _ in range(5)])
    with django_assert_max_num_queries(DETAIL_QUERIES) as many:
        response = client_a.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    assert len(few) == len(many)
    entries = _logged(org_a, action=AccessLog.Action.VIEW, target_id=str(customer.pk))
    assert [entry.target_type for entry in entries] == ["customers.Customer"] * 2


@pytest.mark.django_db
def test_another_tenants_customer_is_404(client_a, org_b):
    with tenant(org_b):
        foreign = CustomerFactory(organization=org_b)
    assert client_a.get(f"/customers/{foreign.pk}/").status_code == 404
    assert client_a.post(f"/customers/{foreign.pk}/suspend/").status_code == 404
    with all_tenants():
        foreign.refresh_from_db()
    assert foreign.status == Customer.Status.ACTIVE


@pytest.mark.django_db
def test_add_form_never_ticks_marketing_consent(client_a):
    body = client_a.get("/customers/new/").content.decode()
    consent = body.split('name="marketing_consent"')[1].split(">")[0]
    assert "checked" not in consent


@pytest.mark.django_db
def test_add_and_edit_customer_through_forms(client_a, org_a):
    response = client_a.post(
        "/customers/new/",
        {
            "name": "Esi Owusu",
            "phone": "020 111 2222",
            "email": "",
            "customer_type": "hotspot",
            "tags": "vip",
        },
    )
    assert response.status_code == 302
    with tenant(org_a):
        customer = Customer.objects.get()
    assert customer.phone == "+233201112222" and not customer.marketing_consent
    response = client_a.post(
        f"/customers/{customer.pk}/edit/",
        {
            "name": "Esi Owusu-Ansah",
            "phone": "020 111 2222",
            "customer_type": "hotspot",
            "tags": "vip, estate",
            "marketing_consent": "on",
        },
    )
    assert response.status_code == 302
    with tenant(org_a):
        customer.refresh_from_db()
        assert customer.name == "Esi Owusu-Ansah" and customer.marketing_consent
        assert sorted(customer.tags.values_list("name", flat=True)) == ["estate", "vip"]
    changes = _logged(org_a, action=AccessLog.Action.CHANGE, target_id=str(customer.pk))
    assert changes and "Esi" not in json.dumps(changes[0].detail)


@pytest.mark.django_db
def test_add_form_shows_the_phone_error_and_saves_nothing(client_a, org_a):
    response = client_a.post(
        "/customers/new/", {"name": "Bad Phone", "phone": "12", "customer_type": "hotspot"}
    )
    assert response.status_code == 200
    assert b"valid phone number" in response.content
    with tenant(org_a):
        assert not Customer.objects.exists()


@pytest.mark.django_db
def test_suspend_asks_first_then_suspends(client_a, org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, name="Kwame")
    page = client_a.get(f"/customers/{customer.pk}/suspend/")
    assert b"Suspend Kwame?" in page.content
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE
    assert client_a.post(f"/customers/{customer.pk}/suspend/").status_code == 302
    customer.refresh_from_db()
    assert customer.status == Customer.Status.SUSPENDED
    assert client_a.post(f"/customers/{customer.pk}/reactivate/").status_code == 302
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE


@pytest.mark.django_db
def test_bulk_action_needs_confirmation(client_a, org_a):
    _seed(org_a, 3)
    with tenant(org_a):
        ids = list(Customer.objects.values_list("pk", flat=True))
    confirm = client_a.post("/customers/bulk/", {"action": "suspend", "ids": ids})
    assert confirm.status_code == 200 and b"This changes 3 customers" in confirm.content
    with tenant(org_a):
        assert not Customer.objects.filter(status="suspended").exists()
    done = client_a.post(
        "/customers/bulk/",
        {"action": "suspend", "ids": ids, "confirmed": "on", "next": "/customers/?status=active"},
    )
    assert done.status_code == 302 and done["Location"] == "/customers/?status=active"
    with tenant(org_a):
        assert Customer.objects.filter(status="suspended").count() == 3
    (entry,) = _logged(org_a, action=AccessLog.Action.CHANGE)
    assert sorted(entry.detail["ids"]) == sorted(ids)


@pytest.mark.django_db
def test_bulk_tag_requires_a_tag_name(client_a, org_a):
    _seed(org_a, 1)
    with tenant(org_a):
        ids = list(Customer.objects.values_list("pk", flat=True))
        before = CustomerEvent.objects.count()
    client_a.post("/customers/bulk/", {"action": "tag", "ids": ids, "confirmed": "on"})
    with tenant(org_a):
        assert CustomerEvent.objects.count() == before


@pytest.mark.django_db
def test_an_offsite_next_is_ignored(client_a, org_a):
    _seed(org_a, 1)
    with tenant(org_a):
        ids = list(Customer.objects.values_list("pk", flat=True))
    response = client_a.post(
        "/customers/bulk/",
        {"action": "reactivate", "ids": ids, "confirmed": "on", "next": "https://evil.test/"},
    )
    assert response["Location"] == "/customers/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.TECHNICIAN])
def test_read_only_roles_see_but_cannot_change(client, org_a, make_member, role):
    _seed(org_a, 2)
    with tenant(org_a):
        customer = Customer.objects.first()
        ids = list(Customer.objects.values_list("pk", flat=True))
    client.force_login(make_member(org_a, role))
    assert client.get("/customers/").status_code == 200
    assert b"Apply to selected" not in client.get("/customers/").content
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    for method, url, data in [
        ("post", "/customers/bulk/", {"action": "suspend", "ids": ids, "confirmed": "on"}),
        ("post", f"/customers/{customer.pk}/suspend/", {}),
        ("post", f"/customers/{customer.pk}/edit/", {"name": "X", "customer_type": "hotspot"}),
        ("get", "/customers/export.csv", None),
        ("get", "/customers/import/", None),
    ]:
        assert getattr(client, method)(url, data).status_code == 403
    with tenant(org_a):
        assert Customer.objects.filter(status="active").count() == 2
        assert not Customer.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_csv_export_streams_the_filtered_list(client_a, org_a, org_b):
    with tenant(org_b):
        CustomerFactory(organization=org_b, name="Other Tenant")
    with tenant(org_a):
        vip = TagFactory(organization=org_a, name="vip")
        CustomerFactory(organization=org_a, name="Ama", phone="+233244123456", tags=[vip])
        CustomerFactory(organization=org_a, name="=HYPERLINK(evil)", status="suspended")
    response = client_a.get("/customers/export.csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(_content(response))))
    assert [row["name"] for row in rows] == ["Ama", "'=HYPERLINK(evil)"]
    assert rows[0]["phone"] == "+233244123456" and rows[0]["tags"] == "vip"
    assert "password" not in ",".join(rows[0].keys())
    filtered = list(
        csv.DictReader(
            io.StringIO(_content(client_a.get("/customers/export.csv?status=suspended")))
        )
    )
    assert [row["status"] for row in filtered] == ["suspended"]
    exports = _logged(org_a, action=AccessLog.Action.EXPORT)
    assert len(exports) == 2 and exports[0].detail["status"] == "suspended"


@pytest.mark.django_db
def test_json_export_is_valid_json_with_lists(client_a, org_a):
    with tenant(org_a):
        tag = TagFactory(organization=org_a, name="vip")
        CustomerFactory.create_batch(3, organization=org_a, tags=[tag])
    data = json.loads(_content(client_a.get("/customers/export.json?q=customer")))
    assert data["format"] == "nettportal.customers"
    assert len(data["customers"]) == 3
    assert data["customers"][0]["tags"] == ["vip"]
    assert data["customers"][0]["last_seen_at"] is None


@pytest.mark.django_db
def test_export_walks_past_chunk_boundaries(org_a, monkeypatch):
    from customers import exports

    with tenant(org_a):
        CustomerFactory.create_batch(7, organization=org_a)
        records = list(exports.export_records(Customer.objects.all(), chunk=3))
    assert len(records) == 7 and len({record[0] for record in records}) == 7


@pytest.mark.django_db
def test_dashboard_shows_customer_counts(client_a, org_a):
    _seed(org_a, 4)
    body = client_a.get("/dashboard/").content.decode()
    assert "4 active" in body


@pytest.mark.django_db
def test_the_count_is_fetched_separately_and_follows_changes(client_a, org_a, owner_a, on_commit):
    from customers.services.customers import customer_create

    _seed(org_a, 3)
    page = client_a.get("/customers/?status=active").content.decode()
    assert 'hx-get="/customers/count/?status=active"' in page
    assert client_a.get("/customers/count/").content.decode().strip() == "3 customers"
    assert client_a.get("/customers/count/?q=person+001").content.decode().strip() == (
        "1 customer matches"
    )
    with tenant(org_a), on_commit():
        customer_create(organization=org_a, actor=owner_a, name="Fresh Person")
    # the cached count was dropped when the change committed
    assert client_a.get("/customers/count/").content.decode().strip() == "4 customers"

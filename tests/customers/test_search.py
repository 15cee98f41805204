from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tenancy import tenant
from customers.models import Customer
from customers.pagination import SortKey, keyset_page
from customers.selectors import CustomerFilters, customer_page, customer_queryset
from tests.customers.factories import CustomerDeviceFactory, CustomerFactory, TagFactory


def _names(org, **filters):
    queryset = customer_queryset(organization=org, filters=CustomerFilters(**filters))
    return sorted(queryset.values_list("name", flat=True))


@pytest.fixture
def people(org_a, org_b):
    with tenant(org_b):
        CustomerFactory(organization=org_b, name="Ama Foreign", phone="+233244123456")
    with tenant(org_a):
        ama = CustomerFactory(
            organization=org_a,
            name="Ama Mensah",
            phone="+233244123456",
            email="ama@example.test",
        )
        kofi = CustomerFactory(
            organization=org_a,
            name="Kofi Boateng",
            phone="+233201112222",
            email="kb@mail.test",
            customer_type=Customer.Type.PPPOE,
            status=Customer.Status.SUSPENDED,
        )
        CustomerFactory(organization=org_a, name="Yaw Ofori", phone="", email="yaw@ama.test")
        CustomerDeviceFactory(customer=kofi, organization=org_a, mac_address="AA:BB:CC:00:11:22")
        return {"ama": ama, "kofi": kofi}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "term",
    ["0244123456", "024 412 3456", "+233 24 412 3456", "233244123456", "(024) 412-3456"],
)
def test_phone_found_in_any_spelling(org_a, people, term):
    with tenant(org_a):
        assert _names(org_a, q=term) == ["Ama Mensah"]


@pytest.mark.django_db
def test_part_of_a_number_matches_digits_anywhere(org_a, people):
    with tenant(org_a):
        assert _names(org_a, q="4412") == ["Ama Mensah"]
        assert _names(org_a, q="0201") == ["Kofi Boateng"]  # leading trunk 0 dropped


@pytest.mark.django_db
def test_name_and_email_by_substring_case_insensitive(org_a, people):
    with tenant(org_a):
        assert _names(org_a, q="ama") == ["Ama Mensah", "Yaw Ofori"]  # Yaw's email has "ama"
        assert _names(org_a, q="BOATENG") == ["Kofi Boateng"]
        assert _names(org_a, q="kb@mail") == ["Kofi Boateng"]


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["aa:bb:cc:00:11:22", "AA-BB-CC-00-11-22", "aabbcc001122"])
def test_mac_in_any_spelling_finds_the_devices_owner(org_a, people, term):
    with tenant(org_a):
        assert _names(org_a, q=term) == ["Kofi Boateng"]


@pytest.mark.django_db
def test_filters_combine(org_a, people):
    with tenant(org_a):
        tag = TagFactory(organization=org_a, name="estate")
        people["ama"].tags.add(tag)
        assert _names(org_a, status="suspended") == ["Kofi Boateng"]
        assert _names(org_a, customer_type="pppoe", status="active") == []
        assert _names(org_a, tag_id=tag.pk) == ["Ama Mensah"]
        assert _names(org_a, tag_id=tag.pk, q="kofi") == []


@pytest.mark.django_db
def test_nothing_found_in_another_tenant(org_a, people):
    with tenant(org_a):
        assert "Ama Foreign" not in _names(org_a, q="foreign")
        assert _names(org_a, q="foreign") == []


# --- keyset pagination -------------------------------------------------------------------


@pytest.fixture
def many(org_a):
    """23 customers; several share a creation time and a name (ties must not be lost)."""
    base = timezone.now() - timedelta(days=1)
    with tenant(org_a):
        customers = []
        for index in range(23):
            customers.append(
                CustomerFactory(
                    organization=org_a,
                    name=f"Name {index % 5}",
                    created_at=base + timedelta(minutes=index // 3),
                )
            )
        return customers


def _walk(org, sort, per_page=5):
    seen, cursor, pages = [], None, 0
    while True:
        page = customer_page(
            organization=org, filters=CustomerFilters(sort=sort), per_page=per_page, after=cursor
        )
        seen.extend(customer.pk for customer in page.rows)
        pages += 1
        if not page.has_next:
            return seen, pages
        cursor = page.next_cursor


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["-created", "created", "name", "-name"])
def test_walking_forward_visits_every_row_once_in_order(org_a, many, sort):
    with tenant(org_a):
        seen, pages = _walk(org_a, sort)
        assert pages == 5
        assert len(seen) == 23 and len(set(seen)) == 23
        expected = {
            "-created": Customer.objects.order_by("-created_at", "-id"),
            "created": Customer.objects.order_by("created_at", "id"),
            "name": Customer.objects.order_by("name", "id"),
            "-name": Customer.objects.order_by("-name", "-id"),
        }[sort]
        assert seen == list(expected.values_list("pk", flat=True))


@pytest.mark.django_db
def test_previous_returns_the_same_page_and_last_goes_to_the_end(org_a, many):
    with tenant(org_a):
        filters = CustomerFilters(sort="name")
        first = customer_page(organization=org_a, filters=filters, per_page=5)
        second = customer_page(
            organization=org_a, filters=filters, per_page=5, after=first.next_cursor
        )
        back = customer_page(
            organization=org_a, filters=filters, per_page=5, before=second.previous_cursor
        )
        assert [c.pk for c in back.rows] == [c.pk for c in first.rows]
        assert not back.has_previous and back.has_next
        last = customer_page(organization=org_a, filters=filters, per_page=5, last=True)
        assert len(last.rows) == 5 and last.has_previous and not last.has_next
        assert last.rows[-1].pk == Customer.objects.order_by("-name", "-id").first().pk


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["garbage", "e30", "WyJ4Il0", "!!!"])
def test_an_unreadable_cursor_shows_the_first_page(org_a, many, cursor):
    with tenant(org_a):
        first = customer_page(organization=org_a, filters=CustomerFilters(), per_page=5)
        page = customer_page(
            organization=org_a,
            filters=CustomerFilters(),
            per_page=5,
            after=cursor,
            with_count=True,
        )
        assert [c.pk for c in page.rows] == [c.pk for c in first.rows]
        assert page.extra["count"] == 23


@pytest.mark.django_db
def test_keyset_page_on_dict_rows(org_a, many):
    with tenant(org_a):
        keys = [SortKey.integer("id")]
        page = keyset_page(Customer.objects.values("id"), keys, per_page=10)
        rest = keyset_page(Customer.objects.values("id"), keys, per_page=50, after=page.next_cursor)
        assert len(page.rows) + len(rest.rows) == 23 and not rest.has_next

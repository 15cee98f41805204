"""nettportal.db's hand-written statement helpers give what the ORM would (both backends)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from nettportal import db
from tests.vouchers.factories import PackageFactory, VoucherFactory
from vouchers.models import Package, Voucher, VoucherEvent


def orm_fields(instance):
    """Every concrete field's value, by attribute name (to compare rows loaded two ways)."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_rows_load_as_the_orm_loads_them(org_a, in_tenant):
    now = timezone.now()
    with in_tenant(org_a):
        package = PackageFactory(
            organization=org_a, validity=timedelta(days=1, hours=3), price=Decimal("12.50")
        )
        voucher = VoucherFactory(
            organization=org_a,
            package=package,
            sold_price=Decimal("4.75"),
            extra_time=timedelta(minutes=90),
            expires_at=now + timedelta(days=2),
            sold_at=now,
        )
        expected_voucher = orm_fields(Voucher.objects.get(pk=voucher.pk))
        expected_package = orm_fields(Package.objects.get(pk=package.pk))

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {db.select_list(Voucher, 'v')}, {db.select_list(Package, 'p')} "  # noqa: S608
            "FROM vouchers_voucher v JOIN vouchers_package p ON p.id = v.package_id "
            "WHERE v.id = %s",
            [voucher.pk],
        )
        row = cursor.fetchone()
    loaded = db.instance_from_row(Voucher, "v", row)
    loaded_package = db.instance_from_row(Package, "p", row, db.row_width(Voucher))

    assert orm_fields(loaded) == expected_voucher
    assert orm_fields(loaded_package) == expected_package
    assert isinstance(loaded.sold_price, Decimal) and loaded.extra_time == timedelta(minutes=90)
    assert not loaded._state.adding  # saved rows, as from a queryset


def test_insert_rows_and_update_fields_write_what_the_orm_reads(org_a, in_tenant):
    now = timezone.now()
    with in_tenant(org_a):
        voucher = VoucherFactory(organization=org_a)
        voucher.status = Voucher.Status.ACTIVE
        voucher.sold_price = Decimal("3.20")
        voucher.expires_at = now + timedelta(hours=5)
        voucher.extra_validity = timedelta(hours=2)
        voucher.currency = "KES"
        db.update_fields(voucher, ["status", "sold_price", "expires_at", "extra_validity"])
        db.insert_rows(
            VoucherEvent,
            ["organization", "voucher", "kind", "message", "created_at"],
            [
                (org_a.pk, voucher.pk, "redeemed", "first", now),
                (org_a.pk, voucher.pk, "logged_in", "second", now),
            ],
        )
        stored = Voucher.objects.get(pk=voucher.pk)
        events = list(
            VoucherEvent.objects.filter(voucher=voucher)
            .order_by("id")
            .values_list("kind", "message", "created_at", "router_id")
        )

    assert stored.status == "active" and stored.sold_price == Decimal("3.20")
    assert stored.expires_at == voucher.expires_at
    assert stored.extra_validity == timedelta(hours=2)
    assert stored.currency != "KES"  # only the fields named are written
    assert events == [("redeemed", "first", now, None), ("logged_in", "second", now, None)]


def test_update_fields_touches_only_a_row_of_the_instances_organisation(org_a, org_b, in_tenant):
    with in_tenant(org_a):
        voucher = VoucherFactory(organization=org_a)
    # an instance claiming the row for another organisation updates nothing
    voucher.organization_id = org_b.pk
    voucher.status = Voucher.Status.REVOKED
    with pytest.raises(DatabaseError, match="not updated"):
        db.update_fields(voucher, ["status"])
    with in_tenant(org_a):
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.UNUSED

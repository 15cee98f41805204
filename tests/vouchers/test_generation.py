from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from nettportal.errors import ValidationFailed
from nettportal.models import BackgroundJob
from vouchers import codes
from vouchers.codes import MIXED_ALPHABET, normalise
from vouchers.models import Voucher, VoucherBatch
from vouchers.services import voucher_batch_create, voucher_batch_generate


def _create(org, owner, package, **options):
    options.setdefault("quantity", 50)
    return voucher_batch_create(organization=org, actor=owner, package=package, **options)


def test_batch_is_generated_after_commit_with_progress(
    org_a, owner_a, package_a, in_tenant, on_commit
):
    # when a batch of 250 is created
    with in_tenant(org_a), on_commit():
        batch = _create(org_a, owner_a, package_a, quantity=250, prefix="NET", pin_length=4)

    # then 250 distinct codes exist in the requested format, with PINs, and the job finished
    with in_tenant(org_a):
        batch.refresh_from_db()
        vouchers = list(Voucher.objects.filter(batch=batch))
        job = BackgroundJob.objects.get(pk=batch.job_id)
    assert batch.status == VoucherBatch.Status.READY
    assert batch.generated_count == 250
    assert len(vouchers) == 250
    assert len({v.lookup for v in vouchers}) == 250
    for voucher in vouchers:
        prefix, first, second = voucher.code.split("-")
        assert prefix == "NET"
        assert len(first) == len(second) == 4
        assert set(first + second) <= set(MIXED_ALPHABET)
        assert voucher.lookup == normalise(voucher.code)
        assert voucher.pin.isdigit() and len(voucher.pin) == 4
        assert voucher.status == Voucher.Status.UNUSED
        assert voucher.package_id == package_a.pk
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.done == job.total == 250


def test_generation_resumes_and_is_idempotent(org_a, owner_a, package_a, in_tenant):
    # given a batch that stopped after its first chunk
    with in_tenant(org_a):
        batch = _create(org_a, owner_a, package_a, quantity=30, enqueue=False)
        voucher_batch_generate(batch_id=batch.pk, chunk_size=10)
        Voucher.objects.filter(batch=batch).order_by("-pk")[:1].get().delete()
        VoucherBatch.objects.filter(pk=batch.pk).update(status=VoucherBatch.Status.GENERATING)

        # when it runs again (twice)
        voucher_batch_generate(batch_id=batch.pk, chunk_size=10)
        voucher_batch_generate(batch_id=batch.pk, chunk_size=10)

        # then it holds exactly its quantity
        assert Voucher.objects.filter(batch=batch).count() == 30


def test_colliding_codes_are_drawn_again_and_only_those(
    org_a, owner_a, package_a, in_tenant, monkeypatch
):
    # given codes that already exist
    with in_tenant(org_a):
        first = _create(org_a, owner_a, package_a, quantity=5, group_size=0, enqueue=False)
        voucher_batch_generate(batch_id=first.pk)
        taken = [v.lookup for v in Voucher.objects.filter(batch=first)]

    # and a random source that first repeats 3 of them
    real = codes.random_strings
    calls = []

    def replaying(count, length, alphabet="mixed"):
        calls.append(count)
        if len(calls) == 1:
            return taken[:3] + real(count - 3, length, alphabet)
        return real(count, length, alphabet)

    monkeypatch.setattr("vouchers.services.batches.random_strings", replaying)

    # when a new batch of 20 is generated
    with in_tenant(org_a):
        second = _create(org_a, owner_a, package_a, quantity=20, group_size=0, enqueue=False)
        voucher_batch_generate(batch_id=second.pk)
        new_codes = set(Voucher.objects.filter(batch=second).values_list("lookup", flat=True))

    # then exactly 3 codes were drawn again, and none of the old ones was reused
    assert calls == [20, 3]
    assert len(new_codes) == 20
    assert not new_codes & set(taken)
    with in_tenant(org_a):
        assert Voucher.objects.filter(batch=first).count() == 5


def test_codes_are_unique_per_organisation_not_globally(
    org_a, org_b, owner_a, owner_b, package_a, package_b, in_tenant
):
    # given a code in organisation A
    with in_tenant(org_a):
        batch = _create(org_a, owner_a, package_a, quantity=1, enqueue=False)
        voucher_batch_generate(batch_id=batch.pk)
        code = Voucher.objects.get(batch=batch)

    # when B gets the very same code
    with in_tenant(org_b):
        Voucher.objects.create(
            organization=org_b, package=package_b, code=code.code, lookup=code.lookup
        )
        # then it is allowed (different tenant) but a second one in B is not
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Voucher.objects.create(
                organization=org_b, package=package_b, code=code.code.lower(), lookup=code.lookup
            )


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 100_001}, "quantity"),
        ({"code_length": 5}, "code_length"),
        ({"pin_length": 3}, "pin_length"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "expires_at"),
        ({"qr_url_template": "https://x.test/p/"}, "qr_url_template"),
        ({"qr_url_template": "https://x.test/{nope}"}, "qr_url_template"),
        ({"qr_url_template": "javascript:alert({code})"}, "qr_url_template"),
    ],
)
def test_bad_batch_settings_are_refused_and_nothing_is_created(
    org_a, owner_a, package_a, in_tenant, options, field
):
    with in_tenant(org_a):
        with pytest.raises(ValidationFailed) as error:
            _create(org_a, owner_a, package_a, **options)
        assert error.value.field == field
        assert not VoucherBatch.objects.exists()
        assert not BackgroundJob.objects.exists()


def test_inactive_package_cannot_be_printed(org_a, owner_a, package_a, in_tenant):
    package_a.is_active = False
    with in_tenant(org_a):
        package_a.save()
        with pytest.raises(ValidationFailed, match="inactive"):
            _create(org_a, owner_a, package_a)


def test_bulk_path_matches_the_database(org_a, owner_a, package_a, in_tenant):
    # PostgreSQL uses COPY, others bulk_create; both leave the same rows behind
    with in_tenant(org_a):
        batch = _create(
            org_a,
            owner_a,
            package_a,
            quantity=40,
            expires_at=timezone.now() + timedelta(days=30),
            enqueue=False,
        )
        voucher_batch_generate(batch_id=batch.pk, chunk_size=15)
        rows = list(Voucher.objects.filter(batch=batch))
    assert len(rows) == 40
    assert all(v.unsold_expires_at == batch.expires_at for v in rows)
    assert all(v.organization_id == org_a.pk and v.source == "batch" for v in rows)
    assert connection.vendor in ("postgresql", "sqlite")


def test_copy_text_format_is_exact():
    from datetime import UTC, datetime

    from vouchers.services.batches import _copy_field, _copy_text

    assert _copy_text([("NET-7K4M Q9RT", "NET7K4MQ9RT", "")], "1\t") == (
        b"1\tNET-7K4M Q9RT\tNET7K4MQ9RT\t\n"
    )
    assert _copy_field(None) == "\\N"
    assert _copy_field("a\tb\\c") == "a\\tb\\\\c"
    assert _copy_field(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05+00:00"

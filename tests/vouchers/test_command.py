import pytest
from django.core.management import CommandError, call_command

from vouchers.models import Voucher, VoucherBatch


def test_generate_vouchers_prints_the_batch_id(org_a, package_a, in_tenant, capsys):
    call_command(
        "generate_vouchers",
        "--org",
        org_a.slug,
        "--package",
        str(package_a.pk),
        "--count",
        "25",
        "--prefix",
        "CLI",
        "--pin",
        "4",
    )
    out = capsys.readouterr().out.strip()
    with in_tenant(org_a):
        batch = VoucherBatch.objects.get()
        assert out == str(batch.pk)
        assert batch.status == VoucherBatch.Status.READY
        assert Voucher.objects.filter(batch=batch, code__startswith="CLI-").count() == 25


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nope", "--package", "1", "--count", "5"], "No organisation"),
        (["--package", "999999", "--count", "5"], "No package"),
        (["--count", "0"], "Choose between 1 and"),
        (["--count", "5", "--expires", "soon"], "--expires"),
    ],
)
def test_generate_vouchers_explains_bad_input(org_a, package_a, in_tenant, args, message):
    base = {"--org": org_a.slug, "--package": str(package_a.pk)}
    merged = []
    given = dict(zip(args[::2], args[1::2], strict=True))
    for key, value in {**base, **given}.items():
        merged += [key, value]
    with pytest.raises(CommandError, match=message):
        call_command("generate_vouchers", *merged)
    with in_tenant(org_a):
        assert not VoucherBatch.objects.exists()


def test_another_tenants_package_is_not_found(org_a, package_b):
    with pytest.raises(CommandError, match="No package"):
        call_command(
            "generate_vouchers", "--org", org_a.slug, "--package", str(package_b.pk), "--count", "5"
        )

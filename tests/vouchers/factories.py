from datetime import timedelta
from decimal import Decimal

import factory

from tests.routers.factories import TenantFactory
from vouchers.codes import CodeFormat, random_strings
from vouchers.models import Package, Voucher, VoucherBatch


class PackageFactory(TenantFactory):
    class Meta:
        model = Package

    name = factory.Sequence(lambda n: f"Package {n}")
    profile_name = factory.Sequence(lambda n: f"np-package-{n}")
    price = Decimal("5.00")
    validity = timedelta(days=1)
    rate_limit = "2M/5M"
    shared_users = 1


class VoucherBatchFactory(TenantFactory):
    class Meta:
        model = VoucherBatch

    package = factory.SubFactory(
        PackageFactory, organization=factory.SelfAttribute("..organization")
    )
    quantity = 10
    status = VoucherBatch.Status.READY


def _code(n):
    return CodeFormat().display(random_strings(1, 8)[0])


class VoucherFactory(TenantFactory):
    class Meta:
        model = Voucher

    package = factory.SubFactory(
        PackageFactory, organization=factory.SelfAttribute("..organization")
    )
    batch = None
    code = factory.Sequence(_code)
    lookup = factory.LazyAttribute(lambda o: o.code.replace("-", ""))
    status = Voucher.Status.UNUSED

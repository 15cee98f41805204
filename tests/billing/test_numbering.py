"""Running numbers: per organisation and kind, no gaps, no repeats."""

import pytest
from django.conf import settings
from django.db import connection, transaction

from accounts.tenancy import tenant
from billing.models import DocumentCounter
from billing.services.numbering import next_number
from tests.billing.test_concurrency import _race


@pytest.mark.django_db
def test_numbers_count_per_organisation_and_kind(org_a, org_b):
    with tenant(org_a):
        receipts = [next_number(organization_id=org_a.pk, kind="receipt") for _ in range(3)]
        assert receipts == [1, 2, 3]
        assert next_number(organization_id=org_a.pk, kind="invoice") == 1
    with tenant(org_b):
        assert next_number(organization_id=org_b.pk, kind="receipt") == 1
    with tenant(org_a):
        values = dict(DocumentCounter.objects.values_list("kind", "value"))
    assert values == {"receipt": 3, "invoice": 1}


@pytest.mark.django_db
def test_a_rolled_back_number_is_given_again(org_a):
    with tenant(org_a):
        assert next_number(organization_id=org_a.pk, kind="receipt") == 1
        taken = []

        def take_then_fail():
            with transaction.atomic():
                taken.append(next_number(organization_id=org_a.pk, kind="receipt"))
                raise RuntimeError("the caller failed after taking a number")

        with pytest.raises(RuntimeError):
            take_then_fail()
        assert taken == [2]
        assert next_number(organization_id=org_a.pk, kind="receipt") == 2


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (real row locks)")
@pytest.mark.django_db(transaction=True)
def test_first_numbers_taken_at_once_are_one_to_n(org_a):
    """Six transactions race for the first receipt numbers: the counter is created once."""

    def take():
        with tenant(org_a), transaction.atomic():
            number = next_number(organization_id=org_a.pk, kind="receipt")
        connection.close()
        return number

    assert sorted(_race([take] * 6)) == [1, 2, 3, 4, 5, 6]
    with tenant(org_a):
        assert list(DocumentCounter.objects.values_list("kind", "value")) == [("receipt", 6)]

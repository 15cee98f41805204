"""The API against its own OpenAPI schema: the schema validates, and a bounded
schemathesis run (every operation, a fixed number of generated requests each,
with an all-scopes token) finds no 5xx and no response that breaks the schema."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.tenancy import tenant
from integrations.scopes import ALL_SCOPES
from tests.integrations.factories import make_token
from tests.support.factories import TicketFactory

pytestmark = pytest.mark.django_db
EXAMPLES_PER_OPERATION = 25
# Operations whose schema-valid input can still break a business rule (a code
# that does not exist, a router of another organisation): 400 is a correct
# answer there, so "valid data must be accepted" is not checked for them. Every
# other check (no 5xx, responses match the schema) still runs.
BUSINESS_RULE_OPERATIONS = {
    "POST /api/v1/vouchers/redeem/",
    # phone numbers must be real numbers of a country and unique; emails must be valid
    "POST /api/v1/customers/",
    "PATCH /api/v1/customers/{customer_id}/",
    # the package must be one of yours and active; the code space must fit the quantity
    "POST /api/v1/voucher-batches/",
    # the customer/invoice must be yours, a reference is recorded once, no future dates
    "POST /api/v1/payments/manual/",
}


def test_schema_validates(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/support/tickets/{ticket_id}/messages/" in target.read_text()


@pytest.fixture
def wsgi_requests_share_the_test_transaction():
    """Like Django's test client: keep the test's connection across requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(
    wsgi_requests_share_the_test_transaction, org_a, owner_a, settings
):
    from rest_framework.throttling import SimpleRateThrottle

    from nettportal.wsgi import application

    with tenant(org_a):
        ticket = TicketFactory(organization=org_a, opened_by=owner_a)
    _token, plaintext = make_token(org_a, owner_a, list(ALL_SCOPES))
    headers = {"Authorization": f"Bearer {plaintext}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    original_rates = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original_rates, "api_token": "100000/minute"}
    failures, counter = [], {"calls": 0}
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            check = _checker(operation, headers, ticket.pk, failures, counter)
            try:
                check()
            except Exception as error:
                if not failures or not failures[-1].startswith(operation.label):
                    failures.append(
                        f"{operation.label}: {type(error).__name__}: {str(error)[:600]}"
                    )
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original_rates
    assert not failures, "\n\n".join(failures)
    assert counter["calls"] >= 5 * EXAMPLES_PER_OPERATION // 2


def _checker(operation, headers, ticket_id, failures, counter):
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy())
    def check(case):
        if "ticket_id" in (case.path_parameters or {}) and counter["calls"] % 2 == 0:
            case.path_parameters["ticket_id"] = ticket_id  # reach the 2xx paths too
        counter["calls"] += 1
        response = case.call(headers=headers)
        excluded = (
            [positive_data_acceptance] if operation.label in BUSINESS_RULE_OPERATIONS else None
        )
        try:
            case.validate_response(response, headers=headers, excluded_checks=excluded)
        except Exception as error:
            failures.append(f"{operation.label}: {type(error).__name__}: {str(error)[:600]}")
            raise

    return check

"""Callback/webhook endpoints: CSRF-exempt, size-limited, and garbage never gives a 500
or changes anything (hypothesis throws bodies at them)."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tenancy import tenant
from billing.models import Payment, PaymentEvent
from billing.processors.paystack import signature_for
from billing.services.online import mpesa_callback_url, mpesa_payment_start, paystack_webhook_url
from tests.billing.conftest import FAKE_PAYSTACK_KEY, path_of

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=25,
)
CALLBACK_LIKE = st.fixed_dictionaries(
    {
        "Body": st.fixed_dictionaries(
            {
                "stkCallback": st.fixed_dictionaries(
                    {},
                    optional={
                        "MerchantRequestID": JSON,
                        "CheckoutRequestID": JSON,
                        "ResultCode": JSON,
                        "ResultDesc": JSON,
                        "CallbackMetadata": st.fixed_dictionaries(
                            {},
                            optional={
                                "Item": st.lists(
                                    st.fixed_dictionaries(
                                        {
                                            "Name": st.sampled_from(
                                                [
                                                    "Amount",
                                                    "MpesaReceiptNumber",
                                                    "TransactionDate",
                                                    "PhoneNumber",
                                                    "x",
                                                ]
                                            )
                                        },
                                        optional={"Value": JSON},
                                    ),
                                    max_size=6,
                                )
                            },
                        ),
                    },
                )
            }
        )
    }
)
BODIES = (
    st.binary(max_size=300)
    | JSON.map(lambda v: json.dumps(v).encode())
    | CALLBACK_LIKE.map(lambda v: json.dumps(v).encode())
)


@pytest.fixture
def pending(kenya_org, mpesa_account, daraja):
    with tenant(kenya_org):
        return mpesa_payment_start(
            organization=kenya_org, phone="0712345678", amount="50", description="Test"
        )


def _snapshot(org):
    with tenant(org):
        return (
            list(Payment.objects.values_list("pk", "status", "processor_receipt").order_by("pk")),
            PaymentEvent.objects.count(),
        )


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_garbage_mpesa_callbacks_get_4xx_and_change_nothing(
    body, pending, mpesa_account, kenya_org
):
    url = path_of(mpesa_callback_url(mpesa_account))
    before = _snapshot(kenya_org)
    response = Client().post(url, data=body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert _snapshot(kenya_org) == before


@pytest.mark.django_db
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, sign=st.booleans())
def test_garbage_paystack_webhooks_never_500_and_change_nothing(
    body, sign, org_a, paystack_account, paystack
):
    url = path_of(paystack_webhook_url(paystack_account))
    headers = {"HTTP_X_PAYSTACK_SIGNATURE": signature_for(FAKE_PAYSTACK_KEY, body)} if sign else {}
    before = _snapshot(org_a)
    response = Client().post(url, data=body, content_type="application/json", **headers)
    assert response.status_code < 500
    if not sign:
        assert response.status_code == 401
    assert _snapshot(org_a) == before


@pytest.mark.django_db
def test_hooks_are_csrf_exempt_post_only_and_size_limited(pending, mpesa_account, settings):
    url = path_of(mpesa_callback_url(mpesa_account))
    client = Client(enforce_csrf_checks=True)
    assert client.post(url, data=b"{}", content_type="application/json").status_code == 400
    assert client.get(url).status_code == 405
    settings.BILLING_WEBHOOK_MAX_BYTES = 100
    big = json.dumps({"Body": {"stkCallback": {"pad": "x" * 200}}}).encode()
    assert client.post(url, data=big, content_type="application/json").status_code == 413


@pytest.mark.django_db
def test_the_tenant_comes_from_the_url_never_the_body(
    client, pending, mpesa_account, daraja, org_b, django_capture_on_commit_callbacks
):
    # given organisation B with its own M-Pesa account
    from billing.models import ProcessorAccount
    from billing.services.processors import processor_account_save

    with tenant(org_b):
        account_b = processor_account_save(
            organization=org_b,
            kind=ProcessorAccount.Kind.MPESA,
            fields={"shortcode": "600000"},
            secrets={"consumer_key": "k", "consumer_secret": "s", "passkey": "p"},
        )
    # when A's genuine callback is posted to B's callback URL
    body = daraja.callback_body(pending.processor_reference)
    response = client.post(
        path_of(mpesa_callback_url(account_b)),
        data=json.dumps(body),
        content_type="application/json",
    )
    # then B does not know the CheckoutRequestID and A's payment is untouched
    assert response.status_code == 404
    with tenant(pending.organization):
        assert Payment.objects.get(pk=pending.pk).status == "pending"


@pytest.mark.django_db
def test_request_log_keeps_refused_callbacks_without_their_secret_url(
    client, pending, mpesa_account, daraja, django_capture_on_commit_callbacks
):
    from insights.models import RequestLog

    url = path_of(mpesa_callback_url(mpesa_account))
    body = json.dumps(daraja.callback_body(pending.processor_reference))
    # when a forged callback (wrong token) and then the genuine one, twice, arrive
    forged = url.rstrip("/").rsplit("/", 1)[0] + "/wrong-token/"
    assert client.post(forged, data=body, content_type="application/json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert client.post(url, data=body, content_type="application/json").status_code == 200

    # then the refusal is in the security log under the route, with no key or token
    (entry,) = RequestLog.objects.all()
    assert (entry.kind, entry.status_code) == ("denied", 403)
    assert entry.path == "/payments/hooks/mpesa/<str:callback_key>/<str:token>/"
    assert mpesa_account.callback_key not in entry.path
    # and the accepted callbacks are recorded by billing, not as one request-log row each
    with tenant(pending.organization):
        assert Payment.objects.get(pk=pending.pk).status == "paid"
        assert PaymentEvent.objects.filter(payment=pending, kind="callback").exists()


@pytest.mark.django_db
def test_a_changed_or_removed_account_takes_effect_on_the_next_callback(
    kenya_org, mpesa_account, daraja, django_capture_on_commit_callbacks
):
    """Processes keep the account a callback URL names; any change to it (a new
    token saved in the admin, the account removed) is seen by the very next one."""
    from billing.models.processors import new_callback_token

    with tenant(kenya_org):
        first, second = (
            mpesa_payment_start(
                organization=kenya_org, phone="0712345678", amount="50", description="Test"
            )
            for _ in range(2)
        )
    old_url = path_of(mpesa_callback_url(mpesa_account))

    def post(url, payment):
        body = json.dumps(daraja.callback_body(payment.processor_reference))
        return Client().post(url, data=body, content_type="application/json").status_code

    assert post(old_url, first) == 200  # the account is now kept by this process
    with tenant(kenya_org):
        mpesa_account.callback_token = new_callback_token()
        mpesa_account.save()  # as the admin saves it: same key, new token
    assert post(old_url, second) == 403
    assert post(path_of(mpesa_callback_url(mpesa_account)), second) == 200

    with tenant(kenya_org):
        new_url = path_of(mpesa_callback_url(mpesa_account))
        Payment.objects.all().delete()
        mpesa_account.delete()
    assert post(new_url, second) == 404


@pytest.mark.django_db
def test_callbacks_work_when_the_cache_is_down(pending, mpesa_account, daraja, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "add", down)
    body = json.dumps(daraja.callback_body(pending.processor_reference))
    url = path_of(mpesa_callback_url(mpesa_account))
    assert Client().post(url, data=body, content_type="application/json").status_code == 200
    with tenant(pending.organization):
        assert Payment.objects.get(pk=pending.pk).status == "paid"


@pytest.mark.django_db
def test_callbacks_skip_the_dashboard_layers_and_other_paths_do_not(
    client, pending, mpesa_account, daraja, django_capture_on_commit_callbacks
):
    """billing/middleware.py answers callbacks before sessions, language and CSRF; a
    path under /payments/hooks/ that is no callback still gets the whole stack."""
    from django.utils import translation

    from insights.models import RequestLog

    url = path_of(mpesa_callback_url(mpesa_account))
    body = json.dumps(daraja.callback_body(pending.processor_reference))
    translation.activate("fr")  # a language another request left on this thread
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data=body, content_type="application/json")
    finally:
        translation.deactivate()
    assert response.status_code == 200
    assert response.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
    assert "Content-Language" not in response  # LocaleMiddleware never saw it
    assert response["Content-Length"] == str(len(response.content))  # no chunked answer
    assert not response.cookies
    assert RequestLog.objects.count() == 0  # accepted callbacks are billing's to record

    other = client.get("/payments/hooks/not-a-hook/")
    assert other.status_code == 404
    assert "Content-Language" in other  # the usual stack answered


@pytest.mark.django_db
def test_a_callback_that_crashes_is_still_in_the_security_log(
    pending, mpesa_account, daraja, monkeypatch
):
    from billing.services import online
    from insights.models import RequestLog

    def crash(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(online, "mpesa_callback_handle", crash)
    client = Client(raise_request_exception=False)
    url = path_of(mpesa_callback_url(mpesa_account))
    body = json.dumps(daraja.callback_body(pending.processor_reference))
    assert client.post(url, data=body, content_type="application/json").status_code == 500
    (entry,) = RequestLog.objects.all()
    assert entry.status_code == 500
    assert entry.path == "/payments/hooks/mpesa/<str:callback_key>/<str:token>/"

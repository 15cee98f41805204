"""PPPoE accounts against the RouterOS simulator, through the real client."""

import pytest
from django.db import connection

from accounts.tenancy import tenant
from customers.models import Customer, CustomerEvent, CustomerImport, PppoeAccount
from customers.services import customers as customer_services
from customers.services import pppoe as services
from customers.tasks import reconcile_pppoe_task, retry_pppoe_sync_task
from nettportal.errors import ValidationFailed
from privacy.models import AccessLog
from tests.customers.factories import CustomerFactory


def _secret(router, name):
    return next((s for s in router.sim.ppp_secrets if s["name"] == name), None)


def _active(router, name):
    return [s for s in router.sim.ppp_active if s["name"] == name]


def _operator_secret(router, name, *, comment):
    """A secret written to the router over the API, as someone else would."""
    from routers.services import ppp_secret_upsert

    ppp_secret_upsert(router=router, name=name, password="x-pass-1", comment=comment)


@pytest.fixture
def router(org_a, sim_router):
    return sim_router(org_a, name="Tower 1")


@pytest.fixture
def account(org_a, router, on_commit):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, name="Kwame", customer_type="pppoe")
        with on_commit():
            account = services.pppoe_account_create(
                customer=customer,
                router=router,
                username="kwame.a",
                password="Pass-word-1",
                profile="10mbps",
                rate_limit="5M/10M",
            )
        account.refresh_from_db()
        return account


@pytest.mark.django_db
def test_new_account_becomes_an_enabled_secret_with_our_comment(org_a, router, account):
    secret = _secret(router, "kwame.a")
    assert secret is not None
    assert secret["password"] == "Pass-word-1"
    assert secret["profile"] == "10mbps"
    assert secret["service"] == "pppoe"
    assert secret["disabled"] == "false"
    assert secret["comment"] == f"nettportal:{account.pk}"
    assert account.sync_state == PppoeAccount.SyncState.SYNCED
    assert account.synced_version == account.version
    assert account.router_secret_id == secret[".id"]


@pytest.mark.django_db
def test_password_is_encrypted_at_rest(org_a, account):
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM customers_pppoeaccount WHERE id = %s", [account.pk])
        (stored,) = cursor.fetchone()
    assert "Pass-word-1" not in stored and stored.startswith("gAAAA")


@pytest.mark.django_db
def test_suspending_disables_the_secret_and_cuts_the_session(org_a, router, account, on_commit):
    # given Kwame is online, and another PPPoE user too
    router.sim.ppp_connect("kwame.a")
    _operator_secret(router, "someone-else", comment="")
    router.sim.ppp_connect("someone-else")
    # when the operator suspends him
    with tenant(org_a), on_commit():
        customer_services.customer_set_status(
            customer=account.customer, status=Customer.Status.SUSPENDED
        )
    # then his secret is disabled and his session gone; the other user is untouched
    assert _secret(router, "kwame.a")["disabled"] == "true"
    assert _active(router, "kwame.a") == []
    assert len(_active(router, "someone-else")) == 1
    account.refresh_from_db()
    assert account.sync_state == PppoeAccount.SyncState.SYNCED and not account.is_enabled

    # when he is reactivated, the secret is enabled again
    with tenant(org_a), on_commit():
        customer_services.customer_set_status(
            customer=account.customer, status=Customer.Status.ACTIVE
        )
    assert _secret(router, "kwame.a")["disabled"] == "false"
    account.refresh_from_db()
    assert account.is_enabled


@pytest.mark.django_db
def test_bulk_suspension_uses_one_connection_per_router(org_a, router, on_commit):
    with tenant(org_a):
        customers = CustomerFactory.create_batch(4, organization=org_a, customer_type="pppoe")
        with on_commit():
            for index, customer in enumerate(customers):
                services.pppoe_account_create(
                    customer=customer,
                    router=router,
                    username=f"bulk{index}",
                    password="Pass-word-1",
                )
        logins = router.sim.logins
        with on_commit():
            customer_services.customers_bulk_set_status(
                organization_id=org_a.pk,
                customer_ids=[c.pk for c in customers],
                status=Customer.Status.SUSPENDED,
            )
    assert router.sim.logins == logins + 1
    assert all(_secret(router, f"bulk{i}")["disabled"] == "true" for i in range(4))


@pytest.mark.django_db
def test_unreachable_router_marks_failed_then_the_retry_succeeds(org_a, router, account, on_commit):
    router.sim.reject_logins = True
    with tenant(org_a), on_commit():
        customer_services.customer_set_status(
            customer=account.customer, status=Customer.Status.SUSPENDED
        )
    account.refresh_from_db()
    assert account.sync_state == PppoeAccount.SyncState.FAILED
    assert "refused the login" in account.sync_error
    assert "sim-Router-Pass" not in account.sync_error
    assert _secret(router, "kwame.a")["disabled"] == "false"  # not reached yet
    with tenant(org_a):
        assert CustomerEvent.objects.filter(kind=CustomerEvent.Kind.ROUTER).count() == 1

    # when the router is back and the retry job runs (a while after the change)
    router.sim.reject_logins = False
    with tenant(org_a):
        PppoeAccount.objects.filter(pk=account.pk).update(
            updated_at=account.updated_at.replace(year=2000)
        )
    assert retry_pppoe_sync_task() == 1
    account.refresh_from_db()
    assert account.sync_state == PppoeAccount.SyncState.SYNCED
    assert _secret(router, "kwame.a")["disabled"] == "true"


@pytest.mark.django_db
def test_renaming_removes_the_old_secret(org_a, router, account, on_commit):
    router.sim.ppp_connect("kwame.a")
    with tenant(org_a), on_commit():
        changed = services.pppoe_account_update(account=account, username="kwame.b")
    assert changed == ["username"]
    assert _secret(router, "kwame.a") is None and _active(router, "kwame.a") == []
    assert _secret(router, "kwame.b")["password"] == "Pass-word-1"


@pytest.mark.django_db
def test_moving_to_another_router(org_a, router, account, sim_router, on_commit):
    other = sim_router(org_a, name="Tower 2")
    with tenant(org_a), on_commit():
        services.pppoe_account_update(account=account, router=other)
    assert _secret(router, "kwame.a") is None
    assert _secret(other, "kwame.a") is not None


@pytest.mark.django_db
def test_deleting_removes_secret_and_session(org_a, router, account, on_commit):
    router.sim.ppp_connect("kwame.a")
    with tenant(org_a), on_commit():
        services.pppoe_account_delete(account=account)
    assert _secret(router, "kwame.a") is None and _active(router, "kwame.a") == []


@pytest.mark.django_db
def test_usernames_are_unique_case_insensitively(org_a, router, account):
    with tenant(org_a):
        other = CustomerFactory(organization=org_a)
        with pytest.raises(ValidationFailed) as error:
            services.pppoe_account_create(
                customer=other, router=router, username="KWAME.A", password="Pass-word-1"
            )
        assert error.value.field == "username"
        assert PppoeAccount.objects.count() == 1


@pytest.mark.django_db
def test_reconcile_repairs_drift_and_leaves_operators_secrets_alone(
    org_a, router, account, on_commit
):
    with tenant(org_a):
        suspended = CustomerFactory(organization=org_a, customer_type="pppoe")
        with on_commit():
            blocked = services.pppoe_account_create(
                customer=suspended, router=router, username="blocked", password="Pass-word-1"
            )
            customer_services.customer_set_status(
                customer=suspended, status=Customer.Status.SUSPENDED
            )
    sim = router.sim
    # drift: someone deleted Kwame's secret, re-enabled the suspended one and connected it,
    # a secret we created long ago lost its account, and the operator has one of their own
    sim.ppp_secret_table.rows.pop(_secret(router, "kwame.a")[".id"])
    blocked_row = sim.ppp_secret_table.by_name("blocked")
    blocked_row["disabled"] = "false"
    sim.ppp_connect("blocked")
    _operator_secret(router, "orphan", comment="nettportal:999999")
    _operator_secret(router, "manual", comment="made by hand")

    with tenant(org_a):
        report = services.pppoe_router_reconcile(router=router)

    assert report.recreated == ["kwame.a"]
    assert report.corrected == ["blocked"]
    assert report.removed_orphans == ["orphan"]
    assert _secret(router, "kwame.a")["disabled"] == "false"
    assert _secret(router, "blocked")["disabled"] == "true" and _active(router, "blocked") == []
    assert _secret(router, "orphan") is None
    assert _secret(router, "manual") is not None
    with tenant(org_a):
        report_again = services.pppoe_router_reconcile(router=router)
        assert report_again.changed == 0  # nothing left to fix
        assert blocked.customer.events.filter(kind=CustomerEvent.Kind.ROUTER).exists()


@pytest.mark.django_db
def test_scheduled_reconcile_skips_offline_routers(org_a, router, account):
    from routers.models import Router

    assert reconcile_pppoe_task() == 1
    with tenant(org_a):
        Router.objects.filter(pk=router.pk).update(status=Router.Status.OFFLINE)
    assert reconcile_pppoe_task() == 0


# --- through the pages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_add_account_through_the_form(client_a, org_a, router, on_commit):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, customer_type="hotspot")
    with on_commit():
        response = client_a.post(
            f"/customers/{customer.pk}/pppoe/new/",
            {
                "router": router.pk,
                "username": "esi",
                "password": "Pass-word-9",
                "profile": "default",
                "rate_limit": "2M/5M",
                "remote_address": "",
            },
        )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.customer_type == Customer.Type.PPPOE
    assert _secret(router, "esi")["password"] == "Pass-word-9"
    page = client_a.get(f"/customers/{customer.pk}/").content.decode()
    assert "esi" in page and "On the router" in page and "Pass-word-9" not in page


@pytest.mark.django_db
def test_showing_the_password_is_logged(client_a, org_a, account):
    response = client_a.post(f"/customers/pppoe/{account.pk}/password/")
    assert b"Pass-word-1" in response.content
    with tenant(org_a):
        entry = AccessLog.objects.get(target_type="customers.PppoeAccount")
    assert entry.detail == {"field": "password"} and entry.target_id == str(account.pk)


@pytest.mark.django_db
def test_viewer_cannot_see_the_password(client, org_a, account, make_member):
    client.force_login(make_member(org_a, "viewer"))
    assert client.post(f"/customers/pppoe/{account.pk}/password/").status_code == 403


@pytest.mark.django_db
def test_sync_now_reports_the_routers_answer(client_a, org_a, router, account):
    router.sim.reject_logins = True
    response = client_a.post(f"/customers/pppoe/{account.pk}/sync/", follow=True)
    assert "could not be updated" in response.content.decode()
    router.sim.reject_logins = False
    response = client_a.post(f"/customers/pppoe/{account.pk}/sync/", follow=True)
    assert "as it should be" in response.content.decode()


@pytest.mark.django_db
def test_import_creates_pppoe_accounts_on_the_router(client_a, org_a, router, on_commit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "name,pppoe_username,pppoe_password,package,router,status\n"
        "Abena,abena,Pass-word-1,default,Tower 1,active\n"
        "Kojo,kojo,Pass-word-2,default,,suspended\n"
        "Efua,efua,Pass-word-3,default,Nowhere,active\n"
    )
    upload = SimpleUploadedFile("pppoe.csv", text.encode(), content_type="text/csv")
    client_a.post("/customers/import/", {"file": upload})
    with tenant(org_a):
        customer_import = CustomerImport.objects.get()
    assert customer_import.errors == {"3": ["router: no router is called “Nowhere”."]}
    with on_commit():
        client_a.post(f"/customers/import/{customer_import.pk}/run/", {"mode": "valid_rows"})
    assert _secret(router, "abena")["disabled"] == "false"
    assert _secret(router, "kojo")["disabled"] == "true"
    with tenant(org_a):
        assert set(Customer.objects.values_list("customer_type", flat=True)) == {"pppoe"}


@pytest.mark.django_db
def test_erasure_hook_removes_secrets_from_the_router(org_a, router, account, on_commit):
    router.sim.ppp_connect("kwame.a")
    with tenant(org_a):
        services.pppoe_accounts_erasure_hook(
            organization=org_a, instances=[account], reason="customer_erasure"
        )
    assert _secret(router, "kwame.a") is None and _active(router, "kwame.a") == []


@pytest.mark.django_db
def test_erasure_hook_retries_later_when_the_router_is_away(org_a, router, account, on_commit):
    from celery.exceptions import Retry

    router.sim.reject_logins = True
    logins = router.sim.logins

    # the removal task runs after commit and asks to be retried later (with back-off)
    # while the router refuses us; eager tasks surface that request as Retry
    def erase():
        with on_commit():
            services.pppoe_accounts_erasure_hook(
                organization=org_a, instances=[account], reason="customer_erasure"
            )
            PppoeAccount.objects.filter(pk=account.pk).delete()  # what erasure does next

    with tenant(org_a), pytest.raises(Retry):
        erase()
    assert router.sim.logins > logins
    assert _secret(router, "kwame.a") is not None
    router.sim.reject_logins = False
    from customers.tasks import remove_pppoe_secret_task

    assert remove_pppoe_secret_task(org_a.pk, router.pk, "kwame.a") is True
    assert _secret(router, "kwame.a") is None

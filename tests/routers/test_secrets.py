"""Router passwords: encrypted at rest, rotated with the keys, and never shown,
logged or reported anywhere."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.db import connection

from accounts.tenancy import tenant
from nettportal import crypto
from privacy.registry import REGISTRY
from routers.models import Router, RouterEvent
from routers.polling import poll_routers
from routers.routeros import RouterError, RouterTarget, connect
from tests.routers.factories import RouterFactory

pytestmark = pytest.mark.django_db

SECRET = "Zq9-very-secret-ROUTER-pass"  # distinctive, so a grep finds any leak


def raw_password(router_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM routers_router WHERE id = %s", [router_id])
        return cursor.fetchone()[0]


def test_password_is_encrypted_at_rest(org_a):
    router = RouterFactory(organization=org_a, password=SECRET)
    stored = raw_password(router.pk)
    assert SECRET not in stored
    assert crypto.decrypt(stored) == SECRET
    with tenant(org_a):
        assert Router.objects.get(pk=router.pk).password == SECRET


def test_rotate_encryption_keys_re_encrypts_router_passwords(org_a, org_b, settings, capsys):
    old_key = settings.ENCRYPTION_KEYS[0]
    first = RouterFactory(organization=org_a, password=SECRET)
    second = RouterFactory(organization=org_b, password="other-secret-pw")
    before = raw_password(first.pk)
    new_key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_encryption_keys")

    assert "routers.Router.password: 2 re-encrypted" in capsys.readouterr().out
    after = raw_password(first.pk)
    assert after != before
    assert Fernet(new_key.encode()).decrypt(after.encode()).decode() == SECRET
    settings.ENCRYPTION_KEYS = [new_key]  # the old key can now be dropped
    with tenant(org_b):
        assert Router.objects.get(pk=second.pk).password == "other-secret-pw"


def test_registry_never_exports_the_password():
    entry = REGISTRY["routers.Router"]
    assert "password" in entry.secret_fields
    assert "password" not in entry.personal_fields


def test_password_never_appears_in_pages_logs_or_errors(
    client_a, org_a, sim_router, caplog, fast_timeouts, admin_client
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="librouteros")  # the wire log, at its most verbose
    router = sim_router(org_a, password=SECRET, active_sessions=2, name="Leak check")
    seen = []

    # Polls that succeed and fail, through every path that logs or stores errors.
    poll_routers([router.pk])
    router.sim.reject_logins = True
    poll_routers([router.pk], force=True)
    router.sim.reject_logins = False
    router.sim.garbage_rate = 1.0
    poll_routers([router.pk], force=True)
    router.sim.garbage_rate = 0.0
    try:
        connect(RouterTarget("127.0.0.1", router.api_port, "nettportal", SECRET + "x"))
    except RouterError as error:
        seen += [str(error), repr(error), error.message]
    # Every page an operator or staff member can open about this router.
    for url in (
        "/routers/",
        f"/routers/{router.pk}/",
        f"/routers/{router.pk}/edit/",
        f"/routers/{router.pk}/status/",
        "/routers/events/",
        "/dashboard/",
    ):
        seen.append(client_a.get(url).content.decode())
    seen.append(client_a.post(f"/routers/{router.pk}/test/", follow=True).content.decode())
    seen.append(client_a.post(f"/routers/{router.pk}/edit/", {"name": ""}).content.decode())
    seen.append(
        client_a.post(
            "/routers/add/test/",
            {
                "host": "127.0.0.1",
                "api_port": router.api_port,
                "username": "wrong",
                "password": SECRET,
                "action": "test",
            },
        ).content.decode()
    )
    seen.append(
        client_a.post(
            "/routers/add/",
            {"name": "x", "host": "http://bad", "api_port": 1, "username": "u", "password": SECRET},
        ).content.decode()
    )
    seen.append(admin_client.get(f"/admin/routers/router/{router.pk}/change/").content.decode())
    seen.append(admin_client.get("/admin/routers/router/").content.decode())
    with tenant(org_a):
        stored = Router.objects.get(pk=router.pk)
        seen += [stored.last_error, repr(stored), str(stored)]
        seen += list(RouterEvent.objects.values_list("message", flat=True))
    seen += [record.getMessage() for record in caplog.records]
    seen.append(caplog.text)

    assert any("=password=[redacted]" in record.getMessage() for record in caplog.records)
    leaks = [text[:200] for text in seen if SECRET in text]
    assert leaks == []


def test_poll_tasks_carry_ids_not_credentials(
    org_a, monkeypatch, django_capture_on_commit_callbacks
):
    from routers import services
    from routers.tasks import poll_router_task

    sent = []
    monkeypatch.setattr(poll_router_task, "delay", lambda *args, **kw: sent.append((args, kw)))
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        router = services.router_create(
            organization=org_a,
            actor=None,
            name="Task args",
            host="127.0.0.1",
            api_port=1,
            username="u",
            password=SECRET,
        )
    assert sent == [((org_a.pk, router.pk), {})]


def test_admin_form_has_no_password_field(admin_client, org_a):
    router = RouterFactory(organization=org_a, password=SECRET)
    admin = admin_site._registry[Router]
    assert "password" not in admin.get_form(None, router).base_fields

from datetime import date, timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant
from nettportal.models import BackgroundJob
from privacy.access_log import access_log_record
from privacy.models import AccessLog, DataExport, RetentionPurge, RetentionRule
from privacy.registry import REGISTRY, RETENTION_CLASSES, DataClass, register
from privacy.services import exports as export_services
from privacy.services.retention import retention_days, retention_rules_sync, retention_sweep
from privacy.tasks import retention_sweep_task

pytestmark = pytest.mark.django_db


def _log(organization, actor, days_old):
    entry = access_log_record(
        organization=organization, action=AccessLog.Action.VIEW, target=actor, actor=actor
    )
    AccessLog.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=days_old))
    return entry


def test_every_retention_class_gets_a_rule_that_follows_its_setting(db, settings):
    rules = retention_rules_sync()
    assert rules["access_log"].days is None  # no staff override: the setting decides
    assert retention_days("access_log") == settings.RETENTION_ACCESS_LOG_DAYS == 365
    assert retention_days("router_history") == settings.ROUTER_HISTORY_RETENTION_DAYS
    assert retention_days("usage_sessions") == settings.CUSTOMERS_SESSION_RETENTION_DAYS
    assert retention_days("usage_rollups") == settings.CUSTOMERS_ROLLUP_RETENTION_DAYS
    assert retention_days("usage_rollups") > retention_days("usage_sessions")
    assert retention_days("exports") == settings.PRIVACY_EXPORT_LINK_DAYS
    assert retention_days("backups") == settings.BACKUP_RETENTION_DAYS
    settings.NOTIFICATION_RETENTION_DAYS = 12  # read when used, not when declared
    assert retention_days("notifications") == 12
    used = {dc.retention for dc in REGISTRY.values() if dc.retention}
    assert used <= set(rules)
    for name in used:
        assert hasattr(settings, RETENTION_CLASSES[name].setting), name


def test_one_sweep_is_the_only_scheduled_pruner():
    """Apps have no prune tasks of their own: retention is one scheduled task."""
    from nettportal.schedule import beat_schedule

    tasks = [entry["task"] for entry in beat_schedule().values()]
    assert "privacy.tasks.retention_sweep_task" in tasks
    assert not [task for task in tasks if "prune" in task or "purge" in task], tasks


def test_sweep_deletes_old_rows_keeps_young_ones_and_records_it(org_a, org_b, owner_a, owner_b):
    # given access-log entries of two organisations, some older than a year
    with all_tenants():
        old_a = _log(org_a, owner_a, 400)
        old_b = _log(org_b, owner_b, 366)
        young_a = _log(org_a, owner_a, 300)

    # when the daily sweep runs
    retention_sweep_task()

    # then only the old ones are gone, in both organisations, and it is recorded
    with all_tenants():
        remaining = set(AccessLog.objects.values_list("pk", flat=True))
    assert young_a.pk in remaining
    assert old_a.pk not in remaining and old_b.pk not in remaining
    purge = RetentionPurge.objects.get(model_label="privacy.AccessLog")
    assert purge.deleted == 2
    assert purge.retention_class == "access_log"
    assert purge.days == 365
    assert purge.status == RetentionPurge.Status.FINISHED


def test_staff_can_shorten_a_period_or_switch_a_class_off(org_a, owner_a, settings):
    with all_tenants():
        entry = _log(org_a, owner_a, 40)
    rules = retention_rules_sync()
    rules["access_log"].days = 30
    rules["access_log"].save()
    retention_rules_sync()  # never overwrites what staff set
    assert RetentionRule.objects.get(retention_class="access_log").days == 30
    assert retention_days("access_log") == 30
    RetentionRule.objects.filter(retention_class="access_log").update(is_enabled=False)
    assert retention_days("access_log") is None
    retention_sweep()
    with all_tenants():
        assert AccessLog.objects.filter(pk=entry.pk).exists()
    RetentionRule.objects.filter(retention_class="access_log").update(is_enabled=True)
    retention_sweep()
    with all_tenants():
        assert not AccessLog.objects.filter(pk=entry.pk).exists()


def test_the_period_comes_from_the_setting_until_staff_override_it(org_a, owner_a, settings):
    settings.RETENTION_ACCESS_LOG_DAYS = 30
    with all_tenants():
        entry = _log(org_a, owner_a, 40)
        younger = _log(org_a, owner_a, 20)
    RetentionRule.objects.update_or_create(retention_class="access_log", defaults={"days": 60})
    retention_sweep()
    with all_tenants():
        assert AccessLog.objects.filter(pk=entry.pk).exists()  # staff said 60 days
    RetentionRule.objects.filter(retention_class="access_log").update(days=None)
    retention_sweep()
    with all_tenants():
        assert not AccessLog.objects.filter(pk=entry.pk).exists()  # back to the setting
        assert AccessLog.objects.filter(pk=younger.pk).exists()


def test_sweep_deletes_in_bounded_chunks_and_is_idempotent(org_a, owner_a, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PRIVACY_CHUNK_SIZE = 2
    with all_tenants():
        old = [_log(org_a, owner_a, 400) for _n in range(5)]
        young = _log(org_a, owner_a, 10)
    table = AccessLog._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        result = retention_sweep()

    deletes = [
        q["sql"] for q in queries if q["sql"].startswith("DELETE") and f'"{table}"' in q["sql"]
    ]
    assert len(deletes) == 3  # 2 + 2 + 1 rows, never one statement for the whole table
    assert all("IN (" in sql for sql in deletes)  # by primary key, chunk by chunk
    assert result["purged"]["privacy.AccessLog"] == 5
    with all_tenants():
        assert not AccessLog.objects.filter(pk__in=[e.pk for e in old]).exists()
        assert AccessLog.objects.filter(pk=young.pk).exists()
    records = RetentionPurge.objects.count()

    again = retention_sweep()  # safe to run twice: nothing left, nothing recorded

    assert again == {"finished": True, "purged": {}}
    assert RetentionPurge.objects.count() == records


def test_records_kept_for_the_law_are_never_swept(org_a, monkeypatch):
    """Payments and invoices are transaction records (keep_for_law): no
    retention class applies to them, even one given by mistake."""
    from dataclasses import replace

    from billing.models import Invoice, Payment
    from privacy.registry import registry_problems
    from tests.billing.factories import InvoiceFactory, PaymentFactory

    with tenant(org_a):
        payment = PaymentFactory(organization=org_a)
        invoice = InvoiceFactory(organization=org_a, issued_on=date(2010, 3, 1))
        Payment.objects.filter(pk=payment.pk).update(
            created_at=timezone.now() - timedelta(days=365 * 15)
        )
    mistaken = replace(REGISTRY["billing.Payment"], retention="jobs", retention_field="created_at")
    monkeypatch.setitem(REGISTRY, "billing.Payment", mistaken)
    assert REGISTRY["billing.Payment"].erasure == "keep_for_law"
    assert any("billing.Payment: keep_for_law" in problem for problem in registry_problems())

    retention_sweep()

    with tenant(org_a):
        assert Payment.objects.filter(pk=payment.pk).exists()
        assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert not RetentionPurge.objects.filter(model_label__startswith="billing.").exists()


def test_an_organisation_under_legal_hold_keeps_its_rows(org_a, org_b, owner_a, owner_b):
    from privacy.services.deletion import legal_hold_place, legal_hold_release

    with all_tenants():
        held = _log(org_a, owner_a, 400)
        other = _log(org_b, owner_b, 400)
    hold = legal_hold_place(organization=org_a, actor=owner_b, reason="court order 12/2026")

    retention_sweep()

    with all_tenants():
        assert AccessLog.objects.filter(pk=held.pk).exists()
        assert not AccessLog.objects.filter(pk=other.pk).exists()  # org B follows the rule
    legal_hold_release(hold=hold, actor=owner_b)
    retention_sweep()
    with all_tenants():
        assert not AccessLog.objects.filter(pk=held.pk).exists()


def test_sweep_finds_classes_from_the_registry(org_a, owner_a):
    """Other apps' tables are purged with no code change: login sessions
    (accounts) and job rows (nettportal) are registered with retention classes."""
    old_session = UserSession.objects.create(
        user=owner_a,
        session_key="k1",
        ip="10.0.0.1",
        user_agent="x",
        last_seen_at=timezone.now() - timedelta(days=400),
    )
    fresh_session = UserSession.objects.create(
        user=owner_a,
        session_key="k2",
        ip="10.0.0.2",
        user_agent="x",
        last_seen_at=timezone.now(),
    )
    with tenant(org_a):
        job = BackgroundJob.objects.create(organization=org_a, kind="x", title="old")
    with tenant(org_a):
        BackgroundJob.objects.filter(pk=job.pk).update(
            created_at=timezone.now() - timedelta(days=31)
        )

    retention_sweep()

    assert not UserSession.objects.filter(pk=old_session.pk).exists()
    assert UserSession.objects.filter(pk=fresh_session.pk).exists()
    with all_tenants():
        assert not BackgroundJob.objects.filter(pk=job.pk).exists()
    assert {"usersessions.UserSession", "nettportal.BackgroundJob"} <= set(
        RetentionPurge.objects.values_list("model_label", flat=True)
    )


def test_purged_export_rows_take_their_files_along(org_a, owner_a, settings):
    with tenant(org_a):
        export = DataExport.objects.create(
            organization=org_a,
            status=DataExport.Status.READY,
            file_name=f"{org_a.pk}/x.zip",
            expires_at=timezone.now() + timedelta(days=1),
        )
    path = export_services.export_file_path(export)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"zip")
    with tenant(org_a):
        DataExport.objects.filter(pk=export.pk).update(
            created_at=timezone.now() - timedelta(days=8)
        )

    retention_sweep()

    assert not path.exists()
    with all_tenants():
        assert not DataExport.objects.filter(pk=export.pk).exists()


def test_a_sweep_out_of_time_continues_in_the_next_run(org_a, owner_a, monkeypatch, settings):
    settings.PRIVACY_CHUNK_SIZE = 2
    with all_tenants():
        for _n in range(5):
            _log(org_a, owner_a, 500)
    calls = {"n": 0}

    def expires_after_two_chunks(self):
        calls["n"] += 1
        return calls["n"] > 2

    monkeypatch.setattr("privacy.erasure.Budget.expired", expires_after_two_chunks)
    result = retention_sweep(budget_seconds=1)
    assert result["finished"] is False
    assert RetentionPurge.objects.get().status == RetentionPurge.Status.PARTIAL
    with all_tenants():
        assert AccessLog.objects.count() == 1
    monkeypatch.undo()
    assert retention_sweep()["finished"] is True
    with all_tenants():
        assert AccessLog.objects.count() == 0


def test_a_class_nobody_declared_is_reported_and_kept(db, monkeypatch):
    from privacy.registry import registry_problems

    entry = DataClass(label="privacy.RetentionPurge", category="t", retention="mystery_class")
    monkeypatch.setitem(REGISTRY, "privacy.RetentionPurge", entry)
    problems = registry_problems()
    assert any("mystery_class" in problem for problem in problems)
    rules = retention_rules_sync()
    assert rules["mystery_class"].days is None
    assert retention_days("mystery_class") is None  # kept until staff decide


def test_registering_a_new_class_needs_no_code_here(db, monkeypatch):
    # an app declares its own class and default in its personal_data.py
    from privacy.registry import retention_class

    monkeypatch.setitem(RETENTION_CLASSES, "probe_class", None)
    retention_class("probe_class", days=12, description="probe")
    monkeypatch.delitem(REGISTRY, "privacy.RetentionPurge")
    register(
        "privacy.RetentionPurge",
        category="platform",
        export=False,
        organization_path=None,
        retention="probe_class",
        retention_field="started_at",
    )
    old = RetentionPurge.objects.create(retention_class="x", model_label="y")
    RetentionPurge.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(days=13))
    retention_sweep()
    assert retention_days("probe_class") == 12
    assert not RetentionPurge.objects.filter(pk=old.pk).exists()

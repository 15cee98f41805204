"""Races, with real concurrency on PostgreSQL (skipped on SQLite)."""

import threading

import pytest
from django.db import connection

from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from nettportal.errors import ApplicationError
from privacy.models import AccountDeletion, DataExport
from privacy.services import deletion as deletion_services
from privacy.services import exports as export_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(count, work):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrency")
    barrier = threading.Barrier(count)
    outcomes, unexpected = [], []

    def run():
        try:
            barrier.wait()
            outcomes.append(work())
        except ApplicationError as error:
            outcomes.append(error)
        except Exception as error:  # surfaced by the assertion below
            unexpected.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not unexpected, unexpected
    return outcomes


def test_simultaneous_export_requests_start_one_export(org_a, owner_a, monkeypatch):
    monkeypatch.setattr("privacy.tasks.export_build_task.delay", lambda *args: None)

    def request():
        with tenant(org_a):
            return export_services.organization_export_request(organization=org_a, actor=owner_a)

    outcomes = _race(4, request)

    assert sum(isinstance(outcome, DataExport) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, ApplicationError) for outcome in outcomes) == 3
    with tenant(org_a):
        assert DataExport.objects.filter(status=DataExport.Status.QUEUED).count() == 1


def test_simultaneous_deletion_requests_schedule_one(org_a, owner_a, make_member):
    second_owner = make_member(org_a, Role.OWNER)
    actors = iter([owner_a, second_owner, owner_a])
    lock = threading.Lock()

    def request():
        with lock:
            actor = next(actors)
        with tenant(org_a):
            return deletion_services.organization_deletion_request(
                organization=org_a, actor=actor, confirm_name=org_a.name
            )

    outcomes = _race(3, request)

    assert sum(isinstance(outcome, AccountDeletion) for outcome in outcomes) == 1
    assert AccountDeletion.objects.filter(organization=org_a).count() == 1


def test_cancel_racing_the_deletion_job_never_half_deletes(org_a, owner_a):
    """Either the cancel wins (nothing deleted) or the job wins (cancel refused)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Membership

    with tenant(org_a):
        deletion = deletion_services.organization_deletion_request(
            organization=org_a, actor=owner_a, confirm_name=org_a.name
        )
    AccountDeletion.objects.filter(pk=deletion.pk).update(
        scheduled_for=timezone.now() - timedelta(minutes=1)
    )
    calls = iter(["cancel", "execute"])
    lock = threading.Lock()

    def work():
        with lock:
            kind = next(calls)
        if kind == "cancel":
            return deletion_services.organization_deletion_cancel(deletion=deletion, actor=owner_a)
        return deletion_services.organization_deletion_execute(deletion_id=deletion.pk)

    outcomes = _race(2, work)

    deletion.refresh_from_db()
    with all_tenants():
        members = Membership.objects.filter(organization=org_a).count()
    if deletion.status == AccountDeletion.Status.CANCELLED:
        assert members == 1  # nothing was deleted
        assert "skipped" in outcomes
    else:
        assert deletion.status == AccountDeletion.Status.COMPLETED
        assert members == 0
        assert any(isinstance(outcome, ApplicationError) for outcome in outcomes)

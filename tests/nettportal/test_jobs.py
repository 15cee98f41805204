import pytest

from nettportal.jobs import job_create, job_finish, job_progress, job_start
from nettportal.models import BackgroundJob


@pytest.mark.django_db
def test_progress_never_goes_backwards_and_finished_jobs_are_frozen(org_a, in_tenant, client_a):
    with in_tenant(org_a):
        job = job_create(organization=org_a, kind="test", title="Generating", total=100)
        job_start(job.pk)
        job_progress(job.pk, done=40)
        job_progress(job.pk, done=10)  # a late, stale report
        job.refresh_from_db()
        assert (job.status, job.done, job.percent) == ("running", 40, 40)
        fragment = client_a.get(f"/jobs/{job.pk}/progress/").content.decode()
        assert 'aria-valuenow="40"' in fragment and "hx-trigger" in fragment

        job_finish(job.pk, status=BackgroundJob.Status.CANCELLED, message="stopped")
        assert job_progress(job.pk, done=90) is False
        job.refresh_from_db()
        assert (job.status, job.done) == ("cancelled", 40)
        fragment = client_a.get(f"/jobs/{job.pk}/progress/").content.decode()
        assert "hx-trigger" not in fragment  # polling stops when the job ends


@pytest.mark.django_db
def test_another_tenants_job_is_404(client_a, org_b, in_tenant):
    with in_tenant(org_b):
        job = job_create(organization=org_b, kind="test", title="B", total=1)
    assert client_a.get(f"/jobs/{job.pk}/progress/").status_code == 404

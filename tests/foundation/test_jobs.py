"""The job row: status, progress, idempotency, scoped polling page."""

import pytest
from django.urls import reverse

from tests import factories
from vpr_portal.jobs import UserFacingError, create_job, run_job, run_job_body, start_job
from vpr_portal.models import Job, JobStatus
from vpr_portal.tasks import ping


@pytest.mark.django_db
def test_a_job_runs_once_and_records_its_result():
    job = create_job(kind="demo", title="Демо")
    calls = []

    def body(reporter):
        calls.append(1)
        reporter.progress(1, 2, "половина")
        assert Job.objects.get(pk=job.pk).progress == 50
        return {"answer": 42}

    run_job_body(job.pk, body)
    run_job_body(job.pk, body)  # a redelivered message must not run it again
    job.refresh_from_db()
    assert calls == [1]
    assert (job.status, job.progress, job.result) == (JobStatus.SUCCEEDED, 100, {"answer": 42})
    assert job.finished_at is not None


@pytest.mark.django_db
def test_a_known_error_is_shown_to_the_user_in_russian():
    job = create_job(kind="demo", title="Демо")
    with run_job(job.pk):
        raise UserFacingError("Файл пуст.")
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, "Файл пуст.")


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_job_without_leaking_details():
    job = create_job(kind="demo", title="Демо")
    with pytest.raises(ZeroDivisionError), run_job(job.pk):
        _ = 1 / 0
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "ZeroDivision" not in job.message


@pytest.mark.django_db
def test_tasks_are_sent_only_after_commit(django_capture_on_commit_callbacks, eager_celery):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job(kind="ping", title="Пинг", task=ping)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()  # the commit happens: the (eager) task runs
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_the_job_page_polls_until_finished_and_is_private(client, staff_user, municipality):
    job = create_job(kind="demo", title="Печать плана", user=staff_user)
    client.force_login(staff_user)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "hx-trigger" in page and "в очереди" in page
    partial = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress=100)
    done = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "готово" in done
    other = factories.make_staff(municipality=municipality)
    client.force_login(other)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404

"""The upload page: a file in, a background job with a progress bar, the history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from results.models import PupilResult, Upload, UploadStatus
from tests import factories
from tests.results.conftest import f1_file
from vpr_portal.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_coordinator(synthetic_schools):
    return factories.make_coordinator(school=synthetic_schools[0])


def post_file(client, path, **data):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("results:upload_list"), {"file": upload, **data})


def test_a_coordinator_uploads_their_school_and_is_sent_to_the_progress_page(
    client, tmp_path, russian4, school_coordinator, synthetic_schools,
    django_capture_on_commit_callbacks, eager_celery,
):  # fmt: skip
    client.force_login(school_coordinator)
    path, _ = f1_file(tmp_path, rows=25)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, path, school=synthetic_schools[0].pk)
    upload = Upload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("results:upload_detail", args=[upload.pk])
    assert upload.status == UploadStatus.APPLIED and upload.school == synthetic_schools[0]
    assert upload.job.status == JobStatus.SUCCEEDED and upload.job.progress == 100
    assert PupilResult.objects.count() == 25
    page = client.get(response["Location"]).content.decode()
    assert "Строк загружено" in page and "edu501001" in page


def test_the_status_partial_polls_until_the_job_is_done(
    client, tmp_path, russian4, school_coordinator, synthetic_schools
):
    client.force_login(school_coordinator)
    path, _ = f1_file(tmp_path, rows=10)
    post_file(client, path, school=synthetic_schools[0].pk)  # the job is not run: on_commit
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.QUEUED and upload.job.status == JobStatus.QUEUED
    Job.objects.filter(pk=upload.job_id).update(progress=40, message="Запись результатов…")
    partial = client.get(
        reverse("results:upload_detail", args=[upload.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="upload-status"' in partial and "<html" not in partial
    assert 'hx-trigger="every' in partial and "40%" in partial
    from results.services.uploads import process_upload

    process_upload(upload_id=upload.pk)
    done = client.get(
        reverse("results:upload_detail", args=[upload.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in done and "100%" in done


def test_staff_upload_a_municipal_export(
    client,
    tmp_path,
    russian4,
    staff_user,
    synthetic_schools,
    municipality,
    django_capture_on_commit_callbacks,
    eager_celery,
):
    client.force_login(staff_user)
    path, _ = f1_file(tmp_path, schools=3, rows=45)
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, path, municipality=municipality.pk)
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.APPLIED and upload.municipality == municipality
    assert upload.schools_applied == 3
    listing = client.get(reverse("results:upload_list")).content.decode()
    assert path.name in listing and "edu501003" in listing


def test_the_same_file_again_from_the_page_changes_nothing(
    client,
    tmp_path,
    russian4,
    staff_user,
    synthetic_schools,
    municipality,
    django_capture_on_commit_callbacks,
    eager_celery,
):
    client.force_login(staff_user)
    path, _ = f1_file(tmp_path, schools=2, rows=20)
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, path, municipality=municipality.pk)
    first = Upload.objects.get()
    response = post_file(client, path, municipality=municipality.pk)
    assert Upload.objects.count() == 1
    assert response["Location"] == reverse("results:upload_detail", args=[first.pk])
    page = client.get(response["Location"]).content.decode()
    assert "уже загружен" in page


def test_a_refused_file_shows_its_errors_and_the_report_downloads(
    client,
    tmp_path,
    russian4,
    staff_user,
    synthetic_schools,
    municipality,
    django_capture_on_commit_callbacks,
    eager_celery,
):
    from results.fileformats.synthetic import write_f1_xlsx

    client.force_login(staff_user)
    _, data = f1_file(tmp_path, rows=12)
    data.scores[2, 0] = 9
    data.primary_score[2] = data.scores[2].sum()
    path = tmp_path / "bad.xlsx"
    write_f1_xlsx(path, data)
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, path, municipality=municipality.pk)
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.FAILED and upload.job.status == JobStatus.FAILED
    assert upload.job.message == upload.message
    page = client.get(reverse("results:upload_detail", args=[upload.pk])).content.decode()
    assert "больше максимального" in page and "Скачать отчёт об ошибках" in page
    report = client.get(reverse("results:upload_errors", args=[upload.pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment")
    assert not PupilResult.objects.exists()


def test_a_coordinator_cannot_choose_another_school(
    client, tmp_path, russian4, school_coordinator, synthetic_schools
):
    client.force_login(school_coordinator)
    path, _ = f1_file(tmp_path, rows=5)
    response = post_file(client, path, school=synthetic_schools[1].pk)
    assert response.status_code == 200
    assert not Upload.objects.exists()


def test_observers_and_experts_have_no_upload_page(client, municipality):
    from schools.roles import Role

    user = factories.UserFactory()
    factories.MembershipFactory(user=user, role=Role.OBSERVER, municipality=municipality)
    client.force_login(user)
    assert client.get(reverse("results:upload_list")).status_code == 404
    assert client.get(reverse("results:report", args=["marks"])).status_code == 404


def test_the_version_history_lists_every_version_newest_first(
    client, tmp_path, russian4, school_coordinator, synthetic_schools
):
    from tests.results.conftest import import_path

    school = synthetic_schools[0]
    import_path(f1_file(tmp_path, rows=5, seed=1)[0], school=school, user=school_coordinator)
    import_path(f1_file(tmp_path, rows=6, seed=2)[0], school=school, user=school_coordinator)
    client.force_login(school_coordinator)
    page = client.get(
        reverse("results:version_history", args=[school.pk, russian4.pk])
    ).content.decode()
    table = page[page.index('data-testid="versions"') :]
    assert table.index("№ 2") < table.index("№ 1") and "текущая" in table


def test_the_dashboard_links_to_uploads_and_reports(client, school_coordinator):
    client.force_login(school_coordinator)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("results:upload_list") in page and reverse("results:reports") in page


def test_the_progress_bar_moves_while_the_file_is_read(
    client, tmp_path, russian4, school_coordinator, synthetic_schools,
    django_capture_on_commit_callbacks, eager_celery, monkeypatch,
):  # fmt: skip
    from vpr_portal.jobs import JobReporter

    seen: list[int] = []
    original = JobReporter.progress

    def recording(self, done, total, message=""):
        seen.append(done)
        return original(self, done, total, message)

    monkeypatch.setattr(JobReporter, "progress", recording)
    client.force_login(school_coordinator)
    path, _ = f1_file(tmp_path, rows=25)
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, path, school=synthetic_schools[0].pk)
    reading = [value for value in seen if 1 < value < 50]
    assert reading, seen  # the reader reported between «чтение» (1 %) and «запись» (50 %)
    assert seen == sorted(seen)


def test_the_page_says_the_signs_are_recomputed_until_their_job_ends(
    client, tmp_path, russian4, school_coordinator, synthetic_schools,
    django_capture_on_commit_callbacks, eager_celery,
):  # fmt: skip
    from results.indicators import tasks

    client.force_login(school_coordinator)
    path, _ = f1_file(tmp_path, rows=25)
    with django_capture_on_commit_callbacks(execute=False) as import_sent:
        response = post_file(client, path, school=synthetic_schools[0].pk)
    with django_capture_on_commit_callbacks(execute=False) as recompute_sent:
        for send in import_sent:
            send()  # the worker reads the file (eager)
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.APPLIED
    job = Job.objects.get(kind="indicators_recompute")
    assert job.status == JobStatus.QUEUED and job.created_by == school_coordinator
    assert (job.task_name, job.task_args) == (
        "results.indicators.recompute_after_upload",
        [upload.pk],
    )
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "Признаки пересчитываются…" in partial
    assert reverse("job_detail", args=[job.pk]) in partial  # that page polls the job

    for send in recompute_sent:
        send()  # the worker recomputes the signs (eager)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "Признаки пересчитываются" not in partial

    tasks.recompute_after_upload(upload.pk)  # a redelivered message does nothing
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1

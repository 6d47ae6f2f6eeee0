"""The results API: multipart uploads with a status to poll, rows, report data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from results.models import Upload, UploadStatus
from tests import factories
from tests.results.conftest import f1_file, import_path

pytestmark = pytest.mark.django_db


def test_an_upload_is_created_from_multipart_and_its_status_polled(
    client, tmp_path, russian4, staff_user, synthetic_schools, municipality,
    django_capture_on_commit_callbacks, eager_celery,
):  # fmt: skip
    client.force_login(staff_user)
    path, _ = f1_file(tmp_path, schools=2, rows=20)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/uploads/",
            {
                "file": SimpleUploadedFile(path.name, path.read_bytes()),
                "municipality": municipality.pk,
            },
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued"  # serialised before the job ran on commit
    status = client.get(body["status_url"]).json()
    assert status["status"] == "applied" and status["progress"] == 100
    assert status["rows_applied"] == 20 and set(status["summary"]) == {"edu501001", "edu501002"}


def test_the_same_file_again_through_the_api_is_unchanged(
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
    path, _ = f1_file(tmp_path, rows=10)

    def payload():
        return {
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
            "municipality": municipality.pk,
        }

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/uploads/", payload())
    again = client.post("/api/uploads/", payload())
    assert again.status_code == 200 and again.json()["unchanged"] is True
    assert Upload.objects.count() == 1


def test_a_coordinator_upload_defaults_to_their_school(
    client, tmp_path, russian4, synthetic_schools, django_capture_on_commit_callbacks, eager_celery
):
    coordinator = factories.make_coordinator(school=synthetic_schools[0])
    client.force_login(coordinator)
    path, _ = f1_file(tmp_path, rows=8)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/uploads/", {"file": SimpleUploadedFile(path.name, path.read_bytes())}
        )
    assert response.status_code == 201
    assert Upload.objects.get().school == synthetic_schools[0]
    assert Upload.objects.get().status == UploadStatus.APPLIED


def test_staff_must_name_a_municipality_or_school(client, staff_user, tmp_path, russian4):
    client.force_login(staff_user)
    response = client.post("/api/uploads/", {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert response.status_code == 400 and "municipality" in response.json()


def test_results_are_filtered_by_school_test_and_class(
    client, tmp_path, russian4, staff_user, synthetic_schools, municipality
):
    import_path(f1_file(tmp_path, schools=2, rows=40)[0], municipality=municipality)
    client.force_login(staff_user)
    school = synthetic_schools[0]
    everything = client.get("/api/results/").json()
    assert everything["count"] == 40
    one = client.get("/api/results/", {"school": school.pk, "test": russian4.pk}).json()
    assert one["count"] == 20 and {r["school"] for r in one["results"]} == {"edu501001"}
    row = one["results"][0]
    assert len(row["scores"]) == 12 and row["mark"] in (2, 3, 4, 5)
    label = row["class_label"]
    by_class = client.get("/api/results/", {"school": school.pk, "class_label": label}).json()
    assert by_class["count"] > 0 and {r["class_label"] for r in by_class["results"]} == {label}


def test_report_data_is_served_as_json(
    client, tmp_path, russian4, staff_user, synthetic_schools, municipality
):
    import_path(f1_file(tmp_path, schools=2, rows=40)[0], municipality=municipality)
    client.force_login(staff_user)
    listing = client.get("/api/reports/").json()
    assert [r["kind"] for r in listing] == ["marks", "journal", "histogram", "tasks", "dynamics"]
    marks = client.get("/api/reports/marks/", {"test": russian4.pk}).json()
    assert marks["test"]["max_score"] == 24
    assert {g["level"] for g in marks["groups"]} == {"region", "municipality"}
    assert sum(s["n"] for s in marks["schools"]) == 40
    tasks = client.get("/api/reports/tasks/", {"school": synthetic_schools[0].pk}).json()
    assert len(tasks["tasks"]) == 12 and tasks["school"]["login"] == "edu501001"
    assert client.get("/api/reports/nonsense/").status_code == 404

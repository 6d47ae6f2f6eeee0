"""Scope: a coordinator of school A gets 404 for school B by every URL and API route;
municipal staff stop at their municipality."""

import pytest
from django.urls import reverse

from results.models import PupilResult
from tests import factories
from tests.results.test_reports import A_ROWS, B_ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(region, municipality, other_municipality):
    test = factories.TestFactory(year=2026, grade=4)
    a = factories.SchoolFactory(municipality=municipality, login="edu100011", short_name="СОШ А")
    b = factories.SchoolFactory(municipality=municipality, login="edu100012", short_name="СОШ Б")
    c = factories.SchoolFactory(
        municipality=other_municipality, login="edu200013", short_name="СОШ В"
    )
    uploads = {
        "a": factories.make_results(test=test, school=a, rows=A_ROWS),
        "b": factories.make_results(test=test, school=b, rows=B_ROWS),
        "c": factories.make_results(test=test, school=c, rows=B_ROWS),
    }
    return {"test": test, "a": a, "b": b, "c": c, "uploads": uploads}


def school_b_urls(world):
    b, upload, test = world["b"], world["uploads"]["b"], world["test"]
    row = PupilResult.objects.filter(school=b).first()
    return [
        reverse("results:upload_detail", args=[upload.pk]),
        reverse("results:upload_file", args=[upload.pk]),
        reverse("results:upload_errors", args=[upload.pk]),
        reverse("results:version_history", args=[b.pk, test.pk]),
        reverse("results:report", args=["marks"]) + f"?school={b.pk}",
        reverse("results:report", args=["tasks"]) + f"?test={test.pk}&school={b.pk}",
        reverse("results:report_xlsx", args=["journal"]) + f"?school={b.pk}",
        f"/api/uploads/{upload.pk}/",
        f"/api/results/{row.pk}/",
        f"/api/reports/histogram/?school={b.pk}",
    ]


def test_a_coordinator_gets_404_for_another_schools_uploads_results_and_reports(client, world):
    client.force_login(factories.make_coordinator(school=world["a"]))
    for url in school_b_urls(world):
        assert client.get(url).status_code == 404, url


def test_the_same_urls_work_for_school_bs_own_coordinator(client, world):
    client.force_login(factories.make_coordinator(school=world["b"]))
    statuses = {url: client.get(url).status_code for url in school_b_urls(world)}
    errors_url = reverse("results:upload_errors", args=[world["uploads"]["b"].pk])
    assert statuses.pop(errors_url) == 404  # this upload has no error report
    assert set(statuses.values()) == {200}, statuses


def test_lists_and_filters_never_leak_another_school(client, world):
    client.force_login(factories.make_coordinator(school=world["a"]))
    uploads = client.get("/api/uploads/").json()["results"]
    assert {u["school"] for u in uploads} == {"edu100011"}
    rows = client.get("/api/results/", {"school": world["b"].pk}).json()
    assert rows["count"] == 0
    own = client.get("/api/results/").json()
    assert own["count"] == len(A_ROWS) and {r["school"] for r in own["results"]} == {"edu100011"}
    history = client.get(reverse("results:upload_list")).content.decode()
    assert "edu100012" not in history


def test_municipal_staff_get_404_outside_their_municipality(client, world, municipality):
    client.force_login(factories.make_staff(municipality=municipality))
    c, upload = world["c"], world["uploads"]["c"]
    assert client.get(reverse("results:upload_detail", args=[upload.pk])).status_code == 404
    assert (
        client.get(reverse("results:report", args=["marks"]) + f"?school={c.pk}").status_code == 404
    )
    assert client.get(f"/api/uploads/{upload.pk}/").status_code == 404
    assert client.get("/api/results/", {"school": c.pk}).json()["count"] == 0
    # … and see every school of their own municipality.
    b_upload = world["uploads"]["b"]
    assert client.get(reverse("results:upload_detail", args=[b_upload.pk])).status_code == 200


def test_a_coordinator_cannot_upload_for_another_school_through_the_api(client, world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(factories.make_coordinator(school=world["a"]))
    response = client.post(
        "/api/uploads/",
        {"file": SimpleUploadedFile("x.xlsx", b"PK"), "school": world["b"].pk},
    )
    assert response.status_code == 400
    assert "school" in response.json()


def test_anonymous_users_are_sent_to_log_in(client, world):
    response = client.get(reverse("results:upload_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/results/").status_code in (401, 403)

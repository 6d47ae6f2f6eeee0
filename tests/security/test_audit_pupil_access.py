"""Point 7: every view or export of pupil-level rows is logged — user id, route, school ids,
row count, time — and never a participant code."""

import json

import pytest
from django.urls import reverse

from tests import factories
from vpr_portal.models import PupilDataAccess

pytestmark = pytest.mark.django_db

ROWS = [("4А", (1, 2, 1, 2), 3, 3), ("4А", (2, 2, 2, 2), 5, 4), ("4Б", (0, 1, 0, 1), 2, 2)]


@pytest.fixture
def stored(school, other_school):
    test = factories.TestFactory()
    upload = factories.make_results(test=test, school=school, rows=ROWS)
    factories.make_results(test=test, school=other_school, rows=ROWS[:1], filename="other.xlsx")
    return upload


def _no_codes(entry: PupilDataAccess) -> None:
    stored_text = json.dumps(
        [entry.route, entry.channel, entry.school_ids, entry.row_count], ensure_ascii=False
    )
    for code in ("10001", "10002", "10003"):
        assert code not in stored_text


def test_the_results_api_list_is_logged_with_schools_and_row_count(
    client, coordinator, school, stored
):
    client.force_login(coordinator)
    response = client.get("/api/results/")
    assert response.status_code == 200
    entry = PupilDataAccess.objects.get()
    assert entry.user_ref == coordinator.pk and entry.channel == "api"
    assert entry.route == "pupil-result-list"
    assert entry.school_ids == [school.pk] and entry.row_count == 3
    assert entry.at is not None
    _no_codes(entry)


def test_a_staff_list_across_schools_logs_each_school_once(
    client, region, school, other_school, stored
):
    user = factories.make_region_staff(region=region)
    client.force_login(user)
    assert client.get("/api/results/").status_code == 200
    entry = PupilDataAccess.objects.get()
    assert entry.school_ids == sorted([school.pk, other_school.pk]) and entry.row_count == 4


def test_one_pupil_row_through_the_api_is_logged(client, coordinator, school, stored):
    client.force_login(coordinator)
    row_id = client.get("/api/results/").json()
    row_id = (row_id["results"] if isinstance(row_id, dict) else row_id)[0]["id"]
    PupilDataAccess.objects.all().delete()
    assert client.get(f"/api/results/{row_id}/").status_code == 200
    entry = PupilDataAccess.objects.get()
    assert (entry.route, entry.row_count, entry.school_ids) == (
        "pupil-result-detail",
        1,
        [school.pk],
    )


def test_a_refused_read_logs_nothing(client, coordinator, other_school, stored):
    client.force_login(coordinator)
    foreign = stored.__class__.objects.exclude(pk=stored.pk).get()
    assert client.get(reverse("results:upload_file", args=[foreign.pk])).status_code == 404
    assert not PupilDataAccess.objects.exists()


def test_downloading_an_uploaded_results_file_is_logged(client, coordinator, school, stored):
    stored.rows_total = 3
    stored.save()
    client.force_login(coordinator)
    response = client.get(reverse("results:upload_file", args=[stored.pk]))
    assert response.status_code == 200
    entry = PupilDataAccess.objects.get()
    assert (entry.route, entry.channel, entry.school_ids, entry.row_count) == (
        "results:upload_file",
        "web",
        [school.pk],
        3,
    )
    assert entry.user_ref == coordinator.pk


def test_downloading_an_error_report_is_logged(client, coordinator, school, stored):
    from django.core.files.base import ContentFile

    stored.error_report.save("errors.xlsx", ContentFile(b"report"), save=False)
    stored.rows_rejected = 2
    stored.save()
    client.force_login(coordinator)
    assert client.get(reverse("results:upload_errors", args=[stored.pk])).status_code == 200
    entry = PupilDataAccess.objects.get()
    assert (entry.route, entry.row_count, entry.school_ids) == (
        "results:upload_errors",
        2,
        [school.pk],
    )


def test_the_admin_list_of_pupil_rows_is_logged(client, administrator, stored):
    client.force_login(administrator)
    assert client.get(reverse("admin:results_pupilresult_changelist")).status_code == 200
    entry = PupilDataAccess.objects.get()
    assert entry.channel == "admin" and entry.row_count == 4 and len(entry.school_ids) == 2


def test_the_access_journal_is_visible_to_admins_and_cannot_be_edited(client, administrator):
    PupilDataAccess.objects.create(user_ref=1, route="pupil-result-list", channel="api")
    client.force_login(administrator)
    page = client.get(reverse("admin:portal_pupildataaccess_changelist"))
    assert page.status_code == 200 and "pupil-result-list" in page.content.decode()
    entry = PupilDataAccess.objects.get()
    assert client.post(
        reverse("admin:portal_pupildataaccess_delete", args=[entry.pk]), {"post": "yes"}
    ).status_code in (403, 302)
    assert PupilDataAccess.objects.filter(pk=entry.pk).exists()

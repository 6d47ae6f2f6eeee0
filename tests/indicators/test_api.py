"""The indicators API: signs per school and test, filtered, scoped like the pages."""

import pytest

from results.indicators import services
from results.models import SchoolTestIndicator
from tests import factories


@pytest.fixture
def computed(synthetic):
    services.compute_indicators(year=2026)
    return synthetic


def _all_pages(client, url: str) -> list[dict]:
    rows = []
    while url:
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_staff_list_their_municipalitys_rows_with_each_signs_p_and_effect(
    client, computed, staff_user, municipality
):
    client.force_login(staff_user)
    rows = _all_pages(client, "/api/indicators/?year=2026")
    expected = SchoolTestIndicator.objects.filter(school__municipality=municipality).count()
    assert len(rows) == expected > 0
    assert {r["municipality"] for r in rows} == {municipality.name}
    row = rows[0]
    assert row["school"].startswith("edu") and row["year"] == 2026
    for sign in row["signs"].values():
        assert set(sign) == {"p", "effect"}
    strengths = [r["strength"] for r in rows]
    assert strengths == sorted(strengths, reverse=True)  # strongest first


def test_the_list_filters_to_flagged_rows_of_a_school(client, computed, staff_user, municipality):
    flagged = SchoolTestIndicator.objects.filter(
        flagged=True, school__municipality=municipality
    ).first()
    client.force_login(staff_user)
    rows = _all_pages(client, "/api/indicators/?flagged=true")
    assert rows and all(r["flagged"] for r in rows)
    one = client.get(f"/api/indicators/?school={flagged.school_id}&test={flagged.test_id}")
    assert [r["id"] for r in one.json()["results"]] == [flagged.pk]
    assert client.get("/api/indicators/?year=2025").json()["count"] == 0


def test_the_list_filters_by_municipality_within_the_users_scope(
    client, computed, staff_user, other_municipality
):
    client.force_login(staff_user)
    body = client.get(f"/api/indicators/?municipality={other_municipality.pk}").json()
    assert body["count"] == 0  # outside the staff member's municipality: nothing, not an error


def test_the_detail_carries_the_evidence(client, computed, staff_user, municipality):
    row = SchoolTestIndicator.objects.filter(
        flagged=True, school__municipality=municipality
    ).first()
    client.force_login(staff_user)
    body = client.get(f"/api/indicators/{row.pk}/").json()
    assert body["flagged"] is True and body["surviving"] == row.surviving
    letter = row.surviving[0]
    assert "summary_ru" in body["signs"][letter]["evidence"]
    assert body["card_url"].endswith(f"/results/indicators/schools/{row.school_id}/?year=2026")


def test_coordinator_sees_only_their_own_schools_rows(client, computed):
    school = computed[1][0]
    coordinator = factories.make_coordinator(school=school, username="coord-api")
    client.force_login(coordinator)
    rows = _all_pages(client, "/api/indicators/")
    assert rows and {r["school_id"] for r in rows} == {school.pk}
    other = computed[1][2]
    assert client.get(f"/api/indicators/?school={other.pk}").json()["count"] == 0


def test_coordinator_gets_404_for_another_schools_row(client, computed):
    school, other = computed[1][0], computed[1][2]
    coordinator = factories.make_coordinator(school=school, username="coord-api-404")
    client.force_login(coordinator)
    other_row = SchoolTestIndicator.objects.filter(school=other).first()
    assert client.get(f"/api/indicators/{other_row.pk}/").status_code == 404
    own_row = SchoolTestIndicator.objects.filter(school=school).first()
    assert client.get(f"/api/indicators/{own_row.pk}/").status_code == 200


def test_anonymous_users_are_refused(client, computed):
    assert client.get("/api/indicators/").status_code in (401, 403)


def test_the_api_is_read_only(client, computed, staff_user):
    client.force_login(staff_user)
    row = SchoolTestIndicator.objects.first()
    assert client.post("/api/indicators/", {}).status_code == 405
    assert client.delete(f"/api/indicators/{row.pk}/").status_code == 405

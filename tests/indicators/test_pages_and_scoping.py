"""The dashboard, the school's card and who may open them."""

import pytest

from results.indicators import services
from results.models import SchoolTestIndicator
from tests import factories


@pytest.fixture
def computed(synthetic):
    services.compute_indicators(year=2026)
    return synthetic


def _flagged_school(municipality):
    row = SchoolTestIndicator.objects.filter(
        flagged=True, school__municipality=municipality
    ).first()
    assert row is not None
    return row.school


def test_staff_see_their_municipalitys_schools_coloured_by_strength(
    client, computed, staff_user, municipality
):
    client.force_login(staff_user)
    response = client.get("/results/indicators/?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "sign-" in html and "Город А" in html
    assert "Район Б</td>" not in html  # the other municipality's schools are not listed
    assert "<svg" in html  # the trend of the share of schools with signs


def test_the_dashboard_filters_to_schools_with_signs(client, computed, staff_user):
    client.force_login(staff_user)
    response = client.get("/results/indicators/?year=2026&only_flagged=1&sort=school")
    rows = response.context["table"]
    assert rows and all(item["row"].flagged for item in rows)


def test_the_card_explains_each_sign_in_russian_with_its_chart(
    client, computed, staff_user, municipality
):
    school = _flagged_school(municipality)
    client.force_login(staff_user)
    response = client.get(f"/results/indicators/schools/{school.pk}/?year=2026")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Есть признаки" in html and "<svg" in html
    main = html[html.index("<h1") : html.index("<footer")]  # the footer has its own disclaimer
    assert "нарушени" not in main.lower()


def test_coordinator_opens_their_own_card(client, computed, municipality):
    school = _flagged_school(municipality)
    coordinator = factories.make_coordinator(school=school, username="coord-own")
    client.force_login(coordinator)
    assert client.get(f"/results/indicators/schools/{school.pk}/").status_code == 200


def test_coordinator_gets_404_for_another_schools_card(client, computed, municipality):
    school, other = computed[1][0], computed[1][2]
    coordinator = factories.make_coordinator(school=school, username="coord-x")
    client.force_login(coordinator)
    assert client.get(f"/results/indicators/schools/{other.pk}/").status_code == 404


def test_coordinator_cannot_open_the_list_of_schools(client, computed, coordinator):
    client.force_login(coordinator)
    assert client.get("/results/indicators/").status_code == 404


def test_staff_of_another_municipality_get_404_for_the_card(
    client, computed, other_municipality, municipality
):
    school = _flagged_school(municipality)
    staff = factories.make_staff(municipality=other_municipality, username="staff-b")
    client.force_login(staff)
    assert client.get(f"/results/indicators/schools/{school.pk}/").status_code == 404


def test_the_landing_page_links_staff_and_coordinators_to_the_indicators(
    client, computed, staff_user, coordinator
):
    client.force_login(staff_user)
    assert "/results/indicators/" in client.get("/").content.decode()
    client.force_login(coordinator)
    assert "/results/indicators/schools/" in client.get("/").content.decode()


def test_recompute_from_the_dashboard_starts_a_job(
    client, computed, staff_user, django_capture_on_commit_callbacks, eager_celery
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/results/indicators/recompute/", {"year": 2026})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    from vpr_portal.models import Job

    job = Job.objects.get(kind="indicators")
    assert job.status == "succeeded", job.message
    assert job.result["tests_reused"] == 1

"""Regression tests for API requests that answered 500: the router's `.json` suffix on the
report endpoints and ids too large for the database."""

import pytest
from django.test import Client
from django.urls import reverse

HUGE = "99999999999999999999"


@pytest.fixture
def api(staff_user, school):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_the_report_list_with_a_json_suffix_answers_200(api):
    response = api.get("/api/reports.json")
    assert response.status_code == 200
    assert {row["kind"] for row in response.json()} >= {"marks", "journal", "tasks"}


@pytest.mark.django_db
def test_a_report_with_a_json_suffix_answers_like_without_it(api, school):
    plain = api.get(f"/api/reports/marks/?school={school.pk}")
    suffixed = api.get(f"/api/reports/marks.json?school={school.pk}")
    assert suffixed.status_code != 500
    assert suffixed.status_code == plain.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/api/results/?school={HUGE}",
        f"/api/results/?test={HUGE}",
        f"/api/indicators/?school={HUGE}",
        f"/api/indicators/?municipality={HUGE}",
        f"/api/indicators/?test={HUGE}",
        f"/api/indicators/?year={HUGE}",
        f"/api/indicators/?grade={HUGE}",
    ],
)
def test_an_id_too_large_for_the_database_is_a_400_with_a_russian_message(api, url):
    response = api.get(url)
    assert response.status_code == 400
    (messages,) = response.json().values()
    assert "Слишком большое число" in messages[0]


@pytest.mark.django_db
def test_a_non_numeric_id_is_a_400_with_a_russian_message(api):
    response = api.get(reverse("pupil-result-list"), {"school": "abc"})
    assert response.status_code == 400
    assert response.json()["school"] == ["Нужно целое число."]


@pytest.mark.django_db
def test_an_ordinary_school_filter_still_works(api, school):
    response = api.get(reverse("pupil-result-list"), {"school": school.pk})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["municipality", "school", "test"])
def test_a_report_with_an_id_too_large_is_a_400_with_a_russian_message(api, parameter):
    # Found by schemathesis: /api/reports/dynamics/?municipality=54009092642090647552 → 500.
    response = api.get(f"/api/reports/dynamics/?{parameter}={HUGE}")
    assert response.status_code == 400
    assert "Слишком большое число" in response.json()[parameter][0]


@pytest.mark.django_db
def test_a_report_with_empty_filters_is_not_an_error(api, school):
    response = api.get("/api/reports/marks/?municipality=&school=&test=&class_label=")
    assert response.status_code in (200, 404)


@pytest.mark.django_db
def test_the_report_page_with_an_id_too_large_is_not_a_server_error(api):
    response = api.get(f"/results/reports/dynamics/?municipality={HUGE}&school={HUGE}")
    assert response.status_code < 500


@pytest.mark.django_db
def test_an_api_path_no_route_matches_answers_json_404(api):
    # Found by schemathesis: /api/results/-3.3e-298/ answered the HTML 404 page.
    response = api.get("/api/results/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "Страница не найдена."

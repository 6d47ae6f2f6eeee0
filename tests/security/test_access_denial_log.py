"""Every refusal is logged to "vpr_portal.access": user id, route, method, time; no personal data."""

import logging
import re

import pytest
from django.urls import reverse

from tests import factories

LOGGER = "vpr_portal.access"


def denials(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


@pytest.fixture
def access_log(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


@pytest.mark.django_db
def test_a_scoped_404_is_logged_with_user_route_method_and_time_only(
    client, access_log, coordinator, other_school
):
    client.force_login(coordinator)
    response = client.get(
        reverse("schools:detail", args=[other_school.pk]), {"code": "10001-secret"}
    )
    assert response.status_code == 404
    [record] = denials(access_log)
    message = record.getMessage()
    assert f"user={coordinator.pk} " in message
    assert "route=schools:detail " in message
    assert "method=GET " in message
    assert "status=404 " in message
    assert re.search(r"at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", message)
    for private in (
        coordinator.username,
        other_school.login,
        other_school.short_name,
        "10001-secret",
        f"/schools/{other_school.pk}/",
    ):
        assert private not in message


@pytest.mark.django_db
def test_a_role_check_refusal_is_logged(client, access_log, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("schools:list")).status_code == 404
    [record] = denials(access_log)
    assert record.access_route == "schools:list"
    assert record.access_user == coordinator.pk


@pytest.mark.django_db
def test_an_anonymous_redirect_to_login_is_logged(client, access_log, school):
    response = client.post(reverse("schools:import"))
    assert response.status_code == 302
    [record] = denials(access_log)
    assert "user=anonymous route=schools:import method=POST status=302" in record.getMessage()


@pytest.mark.django_db
def test_api_refusals_are_logged(client, access_log, coordinator, other_school):
    assert client.get("/api/schools/").status_code in (401, 403)
    client.force_login(coordinator)
    assert client.get(f"/api/schools/{other_school.pk}/").status_code == 404
    routes = [(r.access_user, r.access_route, r.access_status) for r in denials(access_log)]
    assert routes[0][:2] == ("anonymous", "school-list")
    assert routes[1] == (coordinator.pk, "school-detail", 404)


@pytest.mark.django_db
def test_a_non_administrator_turned_away_from_admin_is_logged(client, access_log, staff_user):
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 302
    [record] = denials(access_log)
    assert record.access_route == "admin:index"


@pytest.mark.django_db
def test_allowed_requests_and_unknown_addresses_are_not_logged(
    client, access_log, coordinator, school
):
    client.force_login(coordinator)
    assert client.get("/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert client.get(reverse("login")).status_code in (200, 302)
    assert denials(access_log) == []


@pytest.mark.django_db
def test_a_refused_user_of_another_municipality_is_logged_by_id(client, access_log, school):
    stranger = factories.make_staff(municipality=factories.MunicipalityFactory(name="Далеко"))
    client.force_login(stranger)
    client.get(reverse("schools:detail", args=[school.pk]))
    assert [r.access_user for r in denials(access_log)] == [stranger.pk]

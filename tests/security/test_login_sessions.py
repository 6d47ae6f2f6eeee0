"""Sessions end after idle time and after an absolute time since login; password validators
apply when a password is set (the demo password still logs in)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from vpr_portal.login_security import SESSION_LOGIN_AT, SESSION_SEEN_AT

PASSWORD = "secret-pass-123"


def login(client, username="staff-a", password=PASSWORD):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302
    return response


def shift_session(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


@pytest.mark.django_db
def test_a_login_stamps_the_session_with_its_login_and_activity_times(client, staff_user):
    login(client)
    assert client.session[SESSION_LOGIN_AT] > 0
    assert client.session[SESSION_SEEN_AT] > 0


@pytest.mark.django_db
def test_an_idle_session_is_logged_out_with_a_russian_message(client, staff_user, settings):
    settings.PORTAL_SESSION_IDLE_MINUTES = 30
    login(client)
    assert client.get(reverse("dashboard")).status_code == 200
    shift_session(client, SESSION_SEEN_AT, 31 * 60)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "бездействия" in page


@pytest.mark.django_db
def test_an_active_session_within_the_idle_time_stays(client, staff_user, settings):
    settings.PORTAL_SESSION_IDLE_MINUTES = 30
    login(client)
    shift_session(client, SESSION_SEEN_AT, 29 * 60)
    assert client.get(reverse("dashboard")).status_code == 200
    # The request moved the idle clock: another 29 minutes later the session still lives.
    shift_session(client, SESSION_SEEN_AT, 29 * 60)
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_a_session_older_than_the_absolute_limit_is_logged_out_despite_activity(
    client, staff_user, settings
):
    settings.PORTAL_SESSION_ABSOLUTE_HOURS = 8
    login(client)
    shift_session(client, SESSION_LOGIN_AT, 8 * 3600 + 60)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "прошло больше 8 ч" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_expired_session_on_the_api_answers_401_in_russian(client, staff_user, settings):
    login(client)
    shift_session(client, SESSION_SEEN_AT, (settings.PORTAL_SESSION_IDLE_MINUTES + 1) * 60)
    response = client.get(reverse("test-list"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert "Сеанс завершён" in response.json()["detail"]


def test_the_session_cookie_lives_no_longer_than_the_absolute_limit(settings):
    assert settings.SESSION_COOKIE_AGE <= settings.PORTAL_SESSION_ABSOLUTE_HOURS * 3600


@pytest.mark.django_db
def test_password_validators_refuse_short_common_and_numeric_passwords(staff_user):
    for weak in ("short1", "1234567890123", "password123", "qwertyuiop"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=staff_user)
    validate_password("Kvadrat-Ovrag-2026", user=staff_user)


@pytest.mark.django_db
def test_the_password_change_form_refuses_a_nine_character_password(client, staff_user):
    login(client)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Kv-Ov-202", "new_password2": "Kv-Ov-202"},
    )
    assert response.status_code == 200
    assert "слишком короткий" in response.content.decode()


@pytest.mark.django_db
def test_the_demo_password_still_logs_in_because_validators_apply_only_when_setting(client):
    from schools.demo import DEMO_PASSWORD

    user = factories.UserFactory(username="demo-user")
    user.set_password(DEMO_PASSWORD)
    user.save()
    login(client, "demo-user", DEMO_PASSWORD)
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_an_expired_session_on_an_htmx_request_redirects_the_whole_page(
    client, staff_user, settings
):
    login(client)
    shift_session(client, SESSION_SEEN_AT, (settings.PORTAL_SESSION_IDLE_MINUTES + 1) * 60)
    response = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session

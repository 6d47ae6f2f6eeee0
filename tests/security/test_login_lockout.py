"""Brute-force protection: 30 wrong passwords lock the username + IP pair for every way in
(login form, admin login, HTTP Basic, the token endpoint, token headers); the right
password is then refused with a Russian message until the cool-off passes or an
administrator removes the lockout."""

import base64
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests import factories

PASSWORD = "secret-pass-123"  # tests/factories.py
ATTEMPTS = 30


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def form_login(client, username: str, password: str, url: str | None = None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_thirty_wrong_passwords_on_the_login_form_lock_out_the_right_one(client, staff_user):
    for _ in range(ATTEMPTS):
        form_login(client, "staff-a", "wrong-password")
    response = form_login(client, "staff-a", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Вход временно заблокирован" in page
    assert "Слишком много неудачных попыток входа" in page
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_the_lockout_starts_at_the_configured_limit_not_before(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert form_login(client, "staff-a", "wrong-password").status_code == 200
    assert form_login(client, "staff-a", PASSWORD).status_code == 302
    assert is_logged_in(client)


@pytest.mark.django_db
def test_a_lockout_is_per_username_and_ip_so_another_user_still_logs_in(
    client, staff_user, coordinator
):
    for _ in range(ATTEMPTS):
        form_login(client, "staff-a", "wrong-password")
    assert form_login(client, "coordinator-a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_thirty_wrong_passwords_on_the_admin_login_lock_out_the_right_one(client, administrator):
    url = reverse("admin:login")
    for _ in range(ATTEMPTS):
        form_login(client, administrator.username, "wrong-password", url)
    response = form_login(client, administrator.username, PASSWORD, url)
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа" in response.content.decode()
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_thirty_wrong_basic_auth_passwords_lock_out_the_right_one(client, staff_user):
    url = reverse("test-list")
    assert client.get(url, HTTP_AUTHORIZATION=basic("staff-a", PASSWORD)).status_code == 200
    for _ in range(ATTEMPTS):
        response = client.get(url, HTTP_AUTHORIZATION=basic("staff-a", "wrong-password"))
        assert response.status_code in (401, 403, 429)
    response = client.get(url, HTTP_AUTHORIZATION=basic("staff-a", PASSWORD))
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа" in response.json()["detail"]


@pytest.mark.django_db
def test_the_token_endpoint_issues_a_token_that_scripts_use(client, staff_user):
    response = client.post(reverse("api-token"), {"username": "staff-a", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=staff_user).key == token
    response = client.get(reverse("test-list"), HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_thirty_wrong_passwords_on_the_token_endpoint_lock_out_the_right_one(client, staff_user):
    url = reverse("api-token")
    for _ in range(ATTEMPTS):
        response = client.post(url, {"username": "staff-a", "password": "wrong-password"})
        assert response.status_code in (400, 429)
    response = client.post(url, {"username": "staff-a", "password": PASSWORD})
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа" in response.json()["detail"]
    assert not Token.objects.filter(user=staff_user).exists()


@pytest.mark.django_db
def test_thirty_wrong_tokens_lock_out_a_valid_token_from_that_address(client, staff_user):
    token = Token.objects.create(user=staff_user)
    url = reverse("test-list")
    for n in range(ATTEMPTS):
        response = client.get(url, HTTP_AUTHORIZATION=f"Token {n:040x}")
        assert response.status_code in (401, 403, 429)
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа" in response.json()["detail"]


@pytest.mark.django_db
def test_a_lockout_ends_after_the_cool_off(client, staff_user, settings):
    for _ in range(ATTEMPTS):
        form_login(client, "staff-a", "wrong-password")
    assert form_login(client, "staff-a", PASSWORD).status_code == 429
    # The cool-off passes: the attempts are older than AXES_COOLOFF_TIME.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    assert form_login(client, "staff-a", PASSWORD).status_code == 302
    assert is_logged_in(client)


@pytest.mark.django_db
def test_an_administrator_sees_the_lockout_in_admin_and_removes_it(
    client, staff_user, administrator
):
    for _ in range(ATTEMPTS):
        form_login(client, "staff-a", "wrong-password")
    assert form_login(client, "staff-a", PASSWORD).status_code == 429

    admin_client = type(client)()
    admin_client.force_login(administrator)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200
    assert "staff-a" in page.content.decode()
    attempt = AccessAttempt.objects.get(username="staff-a")
    response = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="staff-a").exists()

    assert form_login(client, "staff-a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockouts_are_listed_in_the_russian_admin_index(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:axes_accessattempt_changelist") in page
    assert "Попытки доступа" in page or "попытки доступа" in page.lower()


@pytest.mark.django_db
def test_department_staff_cannot_open_the_lockout_list(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_failed_passwords_are_not_stored_in_the_lockout_records(client, staff_user):
    form_login(client, "staff-a", "my-secret-guess")
    attempt = AccessAttempt.objects.get(username="staff-a")
    assert "my-secret-guess" not in attempt.post_data


@pytest.mark.django_db
def test_an_administrator_issues_api_tokens_in_admin(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_an_inactive_users_basic_auth_is_refused(client, db):
    factories.UserFactory(username="gone", is_active=False)
    response = client.get(reverse("test-list"), HTTP_AUTHORIZATION=basic("gone", PASSWORD))
    assert response.status_code in (401, 403)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_lockout_is_per_forwarded_client_address(
    client, staff_user, settings
):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for _ in range(ATTEMPTS):
        client.post(
            reverse("login"), {"username": "staff-a", "password": "wrong-password"}, **attacker
        )
    locked = client.post(
        reverse("login"), {"username": "staff-a", "password": PASSWORD}, **attacker
    )
    assert locked.status_code == 429
    # The real user, behind the same proxy but from another address, still logs in; a
    # forged left-most entry does not move the attacker to another address.
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    forged = client.post(
        reverse("login"),
        {"username": "staff-a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )
    assert forged.status_code == 429
    user = client.post(
        reverse("login"),
        {"username": "staff-a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert user.status_code == 302

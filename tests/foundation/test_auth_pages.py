import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_russian(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="ru">' in page
    assert "Вход в портал" in page


@pytest.mark.django_db
def test_demo_users_are_listed_only_in_debug(client, settings):
    settings.PORTAL_SHOW_DEMO_USERS = False
    assert "demo12345" not in client.get(reverse("login")).content.decode()
    settings.PORTAL_SHOW_DEMO_USERS = True
    assert "demo12345" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_wrong_password_gives_a_russian_message(client, staff_user):
    response = client.post(reverse("login"), {"username": "staff-a", "password": "nope"})
    assert "Неверное имя пользователя или пароль" in response.content.decode()


@pytest.mark.django_db
def test_login_logout_and_password_change(client, staff_user):
    response = client.post(reverse("login"), {"username": "staff-a", "password": "secret-pass-123"})
    assert response.status_code == 302
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "secret-pass-123",
            "new_password1": "Kvadrat-Ovrag-2026",
            "new_password2": "Kvadrat-Ovrag-2026",
        },
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302
    assert client.login(username="staff-a", password="Kvadrat-Ovrag-2026")


@pytest.mark.django_db
def test_unknown_page_is_a_russian_404(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()

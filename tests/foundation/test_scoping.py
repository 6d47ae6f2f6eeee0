"""Who sees what: every URL that takes an id answers 404 outside the user's scope."""

import re

import pytest
from django.urls import reverse

from schools import roles
from tests import factories


@pytest.mark.django_db
def test_coordinator_sees_only_their_school(coordinator, school, other_school):
    assert list(roles.visible_schools(coordinator)) == [school]
    assert roles.get_school_for_user(coordinator, pk=school.pk) == school


@pytest.mark.django_db
def test_coordinator_gets_404_for_another_schools_page(client, coordinator, school, other_school):
    client.force_login(coordinator)
    response = client.get(reverse("schools:detail", args=[other_school.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_coordinator_cannot_open_the_registry_list(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("schools:list")).status_code == 404


@pytest.mark.django_db
def test_municipal_staff_see_their_municipality_only(client, staff_user, school, other_school):
    client.force_login(staff_user)
    assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 200
    assert client.get(reverse("schools:detail", args=[other_school.pk])).status_code == 404
    listing = client.get(reverse("schools:list"))
    assert school.login in listing.content.decode()
    assert other_school.login not in listing.content.decode()


@pytest.mark.django_db
def test_region_staff_see_every_municipality_of_their_region(region, school, other_school):
    user = factories.make_region_staff(region=region)
    assert set(roles.visible_schools(user)) == {school, other_school}


@pytest.mark.django_db
def test_api_is_scoped_like_the_pages(client, coordinator, school, other_school):
    client.force_login(coordinator)
    data = client.get("/api/schools/").json()
    assert [row["login"] for row in data["results"]] == [school.login]
    assert client.get(f"/api/schools/{other_school.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_malformed_id_is_a_404_not_a_crash(coordinator):
    from django.http import Http404

    with pytest.raises(Http404):
        roles.get_school_for_user(coordinator, login="edu' OR 1=1 --")


@pytest.mark.django_db
def test_admin_is_only_for_administrators(client, staff_user, administrator):
    staff_user.is_staff = True  # even with the Django flag, department staff are kept out
    staff_user.save()
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 302
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/schools/school/").status_code == 200


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, school):
    response = client.get(reverse("schools:detail", args=[school.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_each_role_lands_on_its_dashboard(client, staff_user, coordinator, school):
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert 'data-testid="staff-panel"' in page
    assert "Реестр ОО" in page
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert 'data-testid="coordinator-panel"' in page
    assert school.short_name in page
    assert "Реестр ОО" not in page


@pytest.mark.django_db
def test_navigation_follows_the_role_and_every_link_opens(client, staff_user, coordinator):
    for user, expected, hidden in (
        (staff_user, ["Планы", "Наблюдатели", "Признаки"], ["Загрузка результатов"]),
        (coordinator, ["Загрузка результатов", "Мероприятия"], ["Реестр ОО", "Признаки"]),
    ):
        client.force_login(user)
        page = client.get("/").content.decode()
        nav = page[page.index('id="mainNav"') : page.index("</nav>")]
        for label in expected:
            assert f">{label}<" in nav
        for label in hidden:
            assert f">{label}<" not in nav

        for href in re.findall(r'class="nav-link" href="([^"]+)"', nav):
            assert client.get(href, follow=True).status_code == 200, href

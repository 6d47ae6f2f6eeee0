"""Registry import stays inside the importing user's municipalities (issue 11, failure 1).

The probe: staff of one municipality posted a row with another municipality's school
login and their own municipality's name; the school was renamed, moved into their
municipality, and its pupils' rows became readable through /api/results/.
"""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.models import Municipality, School
from tests import factories

HEADER = ["Логин", "Наименование", "Краткое наименование", "Муниципалитет", "Тип", "Местность"]


def registry_file(rows: list[list[str]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("reestr.xlsx", buffer.getvalue())


@pytest.fixture
def foreign_school_with_results(other_school):
    test = factories.TestFactory(grade=4)
    factories.make_results(test=test, school=other_school, rows=[("4А", [2, 2, 3, 3], 5, 5)] * 3)
    return other_school


def snapshot(school: School) -> tuple:
    school.refresh_from_db()
    return (school.municipality_id, school.full_name, school.short_name, school.updated_at)


@pytest.mark.django_db
def test_staff_cannot_take_over_another_municipalitys_school_through_the_import(
    client, staff_user, municipality, foreign_school_with_results
):
    school = foreign_school_with_results
    before = snapshot(school)
    client.force_login(staff_user)
    row = [school.login, "Захваченная школа", "Захват", municipality.name, "школа", "город"]

    page = client.post(reverse("schools:import"), {"file": registry_file([row])})

    text = page.content.decode()
    assert page.status_code == 200
    assert "Реестр не загружен, ничего не сохранено" in text
    assert "Строка 2, столбец «Логин»" in text
    assert snapshot(school) == before
    api = client.get("/api/results/", {"school": school.pk})
    assert api.status_code in (200, 404)
    if api.status_code == 200:
        assert api.json()["count"] == 0


@pytest.mark.django_db
def test_staff_cannot_put_a_school_into_another_municipality(
    client, staff_user, school, other_municipality
):
    before = snapshot(school)
    client.force_login(staff_user)
    row = [school.login, "СОШ № 1", "СОШ № 1", other_municipality.name, "школа", "город"]
    text = client.post(reverse("schools:import"), {"file": registry_file([row])}).content.decode()
    assert "Строка 2, столбец «Муниципалитет»: «Район Б» — не ваш муниципалитет" in text
    assert snapshot(school) == before


@pytest.mark.django_db
def test_municipal_staff_cannot_create_municipalities(client, staff_user, municipality):
    client.force_login(staff_user)
    rows = [
        ["edu300001", "МБОУ «СОШ № 3»", "СОШ № 3", municipality.name, "школа", "город"],
        ["edu300002", "МБОУ «СОШ № 4»", "СОШ № 4", "Новый район", "школа", "село"],
    ]
    text = client.post(reverse("schools:import"), {"file": registry_file(rows)}).content.decode()
    assert "Строка 3, столбец «Муниципалитет»: муниципалитета «Новый район» нет в реестре" in text
    assert not Municipality.objects.filter(name="Новый район").exists()
    assert not School.objects.filter(login__in=["edu300001", "edu300002"]).exists()


@pytest.mark.django_db
def test_municipal_staff_still_create_and_update_schools_of_their_own_municipality(
    client, staff_user, municipality, school
):
    client.force_login(staff_user)
    rows = [
        [school.login, "МБОУ «СОШ № 1 имени Пушкина»", "СОШ № 1", municipality.name, "", ""],
        ["edu300001", "МБОУ «СОШ № 3»", "СОШ № 3", municipality.name, "школа", "город"],
    ]
    response = client.post(reverse("schools:import"), {"file": registry_file(rows)}, follow=True)
    assert "новых ОО — 1, обновлено — 1" in response.content.decode()
    school.refresh_from_db()
    assert school.full_name == "МБОУ «СОШ № 1 имени Пушкина»"
    assert School.objects.get(login="edu300001").municipality == municipality


@pytest.mark.django_db
def test_region_staff_may_create_municipalities_and_move_schools_within_their_region(
    client, region, school, other_municipality
):
    client.force_login(factories.make_region_staff(region=region))
    rows = [
        [school.login, "МБОУ «СОШ № 1»", "СОШ № 1", other_municipality.name, "", ""],
        ["edu300002", "МБОУ «СОШ № 4»", "СОШ № 4", "Новый район", "школа", "село"],
    ]
    response = client.post(reverse("schools:import"), {"file": registry_file(rows)}, follow=True)
    assert "новых ОО — 1, обновлено — 1" in response.content.decode()
    school.refresh_from_db()
    assert school.municipality == other_municipality
    assert Municipality.objects.get(name="Новый район").region == region


@pytest.mark.django_db
def test_region_staff_cannot_reach_a_school_of_another_region(client, region):
    far_region = factories.RegionFactory(name="Дальняя область")
    far_school = factories.SchoolFactory(
        municipality=factories.MunicipalityFactory(region=far_region), login="edu900001"
    )
    home = factories.MunicipalityFactory(region=region, name="Город А")
    before = snapshot(far_school)
    client.force_login(factories.make_region_staff(region=region))
    row = [far_school.login, "Чужая", "Чужая", home.name, "", ""]
    text = client.post(reverse("schools:import"), {"file": registry_file([row])}).content.decode()
    assert "Строка 2, столбец «Логин»" in text
    assert snapshot(far_school) == before


@pytest.mark.django_db
def test_administrators_import_anything_from_the_page(client, administrator, region, other_school):
    client.force_login(administrator)
    rows = [[other_school.login, "МБОУ «СОШ № 2»", "СОШ № 2", "Новый район", "", ""]]
    response = client.post(reverse("schools:import"), {"file": registry_file(rows)}, follow=True)
    assert "обновлено — 1" in response.content.decode()
    other_school.refresh_from_db()
    assert other_school.municipality.name == "Новый район"

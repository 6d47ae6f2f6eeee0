import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.models import School, SchoolType
from tests import factories
from tests.schools.test_registry_import import GOOD_ROWS, xlsx_bytes


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_region_staff_upload_a_registry_from_the_page(client, region):
    # GOOD_ROWS create two municipalities: only region staff and administrators may.
    client.force_login(factories.make_region_staff(region=region))
    upload = SimpleUploadedFile("reestr.xlsx", xlsx_bytes(GOOD_ROWS))
    response = client.post(reverse("schools:import"), {"file": upload}, follow=True)
    assert "новых ОО — 3" in response.content.decode()
    assert School.objects.count() == 3


@pytest.mark.django_db
def test_a_bad_registry_shows_every_row_error_and_saves_nothing(staff_client, region):
    rows = [GOOD_ROWS[0], ["edu1", "Школа", "", "Город А", "", ""]]
    upload = SimpleUploadedFile("reestr.xlsx", xlsx_bytes(rows))
    page = staff_client.post(reverse("schools:import"), {"file": upload}).content.decode()
    assert "Реестр не загружен, ничего не сохранено" in page
    assert "Строка 3, столбец «Логин»" in page
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_a_file_of_another_type_is_refused_by_the_form(staff_client):
    upload = SimpleUploadedFile("reestr.pdf", b"%PDF-1.4")
    page = staff_client.post(reverse("schools:import"), {"file": upload}).content.decode()
    assert "Загрузите файл .xlsx или .csv." in page


@pytest.mark.django_db
def test_the_list_searches_filters_sorts_and_paginates(staff_client, municipality):
    for n in range(30):
        factories.SchoolFactory(
            municipality=municipality,
            login=f"edu77{n:04d}",
            short_name=f"Школа {n:02d}",
            school_type=SchoolType.LYCEUM if n % 10 == 0 else SchoolType.SCHOOL,
        )
    url = reverse("schools:list")
    first_page = staff_client.get(url).content.decode()
    assert "Страница 1 из 2" in first_page
    found = staff_client.get(url, {"q": "Школа 07"}).content.decode()
    assert "edu770007" in found and "edu770008" not in found
    lyceums = staff_client.get(url, {"school_type": "lyceum"}).content.decode()
    assert lyceums.count("<code>edu77") == 3
    by_login_desc = staff_client.get(url, {"sort": "-login"}).content.decode()
    assert by_login_desc.index("edu770029") < by_login_desc.index("edu770028")
    nothing = staff_client.get(url, {"q": "нет такой"}).content.decode()
    assert "Ничего не найдено" in nothing


@pytest.mark.django_db
def test_htmx_requests_get_only_the_results_partial(staff_client, school):
    response = staff_client.get(reverse("schools:list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="results"' in body and "<html" not in body


@pytest.mark.django_db
def test_search_ignores_the_case_of_cyrillic_letters(staff_client, municipality):
    factories.SchoolFactory(municipality=municipality, short_name="Лицей № 7", login="edu880007")
    found = staff_client.get(reverse("schools:list"), {"q": "лицей"}).content.decode()
    assert "edu880007" in found
    found = staff_client.get(reverse("schools:list"), {"q": "ЛИЦЕЙ № 7"}).content.decode()
    assert "edu880007" in found

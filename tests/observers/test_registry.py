"""The observers' registry: life cycle, declared ties, accounts, import, scope."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from observers.models import Observer, ObserverStatus, ObserverTie, TieKind
from observers.services import ImportRefused, ObserversError, registry
from schools.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Муниципалитет",
    "Эл. почта",
    "ОО работы",
    "ОО родственников",
    "Дата обучения",
    "Номер удостоверения",
    "Аккредитован до",
]


def test_an_application_goes_through_training_to_accreditation_and_suspension(municipality, today):
    observer = registry.save_observer(
        municipality=municipality, data={"last_name": "Громов", "first_name": "Павел"}
    )
    assert observer.status == ObserverStatus.APPLICATION
    with pytest.raises(ObserversError, match="только после обучения"):
        registry.accredit(observer=observer, until=today + datetime.timedelta(days=100))
    registry.record_training(observer=observer, completed_on=today, certificate_number="ОН-17")
    assert observer.status == ObserverStatus.TRAINED
    registry.accredit(observer=observer, until=today + datetime.timedelta(days=100))
    assert observer.is_accredited_on(today + datetime.timedelta(days=100))
    assert not observer.is_accredited_on(today + datetime.timedelta(days=101))
    with pytest.raises(ObserversError, match="причину"):
        registry.suspend(observer=observer, reason=" ")
    registry.suspend(observer=observer, reason="жалоба школы")
    assert not observer.is_accredited_on(today)
    registry.reinstate(observer=observer)
    assert observer.status == ObserverStatus.ACCREDITED


def test_an_account_gets_the_observer_role_in_the_observers_municipality(municipality):
    observer = factories.ObserverFactory(municipality=municipality, email="gromov@example.org")
    account = registry.create_account(observer=observer)
    user = get_user_model().objects.get(username=account.username)
    assert account.username == "gromov"
    assert user.check_password(account.password)
    membership = user.memberships.get()
    assert (membership.role, membership.municipality) == (Role.OBSERVER, municipality)
    observer.refresh_from_db()
    assert observer.user == user
    with pytest.raises(ObserversError, match="уже есть учётная запись"):
        registry.create_account(observer=observer)


def test_staff_walk_an_observer_through_the_pages(client, staff_user, municipality, school, today):
    client.force_login(staff_user)
    response = client.post(
        reverse("observers:observer_create"),
        {
            "municipality": municipality.pk,
            "last_name": "Жукова",
            "first_name": "Ирина",
            "email": "zh@example.org",
        },
    )
    observer = Observer.objects.get()
    assert response["Location"] == reverse("observers:observer_detail", args=[observer.pk])
    status_url = reverse("observers:observer_status", args=[observer.pk])
    client.post(
        status_url,
        {"action": "training", "completed_on": today.isoformat(), "certificate_number": "17"},
    )
    client.post(
        status_url,
        {"action": "accredit", "until": (today + datetime.timedelta(days=30)).isoformat()},
    )
    client.post(
        reverse("observers:tie_add", args=[observer.pk]),
        {"school": school.pk, "kind": TieKind.CHILD_STUDIES},
    )
    page = client.post(status_url, {"action": "account"}, follow=True).content.decode()
    assert "временный пароль" in page
    observer.refresh_from_db()
    assert observer.status == ObserverStatus.ACCREDITED and observer.user is not None
    assert ObserverTie.objects.get().school == school
    assert "в ОО учится ребёнок" in page


def test_staff_of_another_municipality_and_observers_cannot_open_the_registry(
    client, municipality, other_municipality, observer, observer_user
):
    client.force_login(factories.make_staff(municipality=other_municipality))
    assert client.get(reverse("observers:observer_detail", args=[observer.pk])).status_code == 404
    assert observer.last_name not in client.get(reverse("observers:observer_list")).content.decode()
    client.force_login(observer_user)
    assert client.get(reverse("observers:observer_list")).status_code == 404
    assert client.get(reverse("observers:observer_detail", args=[observer.pk])).status_code == 404


def test_the_registry_list_searches_and_filters(client, staff_user, municipality):
    factories.ObserverFactory(municipality=municipality, last_name="Громов")
    factories.ObserverFactory(
        municipality=municipality, last_name="Жукова", status=ObserverStatus.APPLICATION
    )
    client.force_login(staff_user)
    page = client.get(reverse("observers:observer_list"), {"q": "гром"}).content.decode()
    assert "Громов" in page and "Жукова" not in page
    page = client.get(
        reverse("observers:observer_list"), {"status": "application"}
    ).content.decode()
    assert "Жукова" in page and "Громов" not in page


def test_import_creates_observers_with_their_ties_and_updates_by_email(
    client, staff_user, municipality, school, second_school, today
):
    until = (today + datetime.timedelta(days=200)).strftime("%d.%m.%Y")
    content = xlsx(
        [
            ["Список общественных наблюдателей"],
            HEADER,
            [
                "Громов",
                "Павел",
                "Андреевич",
                "Город А",
                "Gromov@Example.org",
                "",
                "edu100001",
                "15.02.2026",
                "ОН-1",
                until,
            ],
            ["Жукова", "Ирина", "", "город а", "", "edu100002", "", "", "", ""],
        ]
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("observers:observer_import"), {"file": SimpleUploadedFile("list.xlsx", content)}
    )
    assert response.status_code == 302
    gromov = Observer.objects.get(last_name="Громов")
    assert (gromov.email, gromov.status, gromov.certificate_number) == (
        "gromov@example.org",
        ObserverStatus.ACCREDITED,
        "ОН-1",
    )
    assert [(t.school, t.kind) for t in gromov.ties.all()] == [(school, TieKind.RELATIVE)]
    zhukova = Observer.objects.get(last_name="Жукова")
    assert zhukova.status == ObserverStatus.APPLICATION
    assert [(t.school, t.kind) for t in zhukova.ties.all()] == [(second_school, TieKind.WORKS)]

    again = xlsx(
        [
            HEADER,
            ["Громов", "Павел", "Андреевич", "Город А", "gromov@example.org", "", "", "", "", ""],
        ]
    )
    report = registry.import_observers(
        source=io.BytesIO(again), filename="x.xlsx", municipalities=[municipality], schools=[school]
    )
    assert (report.created, report.updated) == (0, 1)
    assert Observer.objects.count() == 2


def test_a_bad_import_names_every_problem_and_saves_nothing(
    client, staff_user, municipality, other_school
):
    content = xlsx(
        [
            HEADER,
            ["", "Павел", "", "Город А", "not-an-email", "", "", "", "", ""],
            ["Жукова", "Ирина", "", "Неизвестный район", "", "", "", "", "", ""],
            ["Орлова", "Вера", "", "Город А", "", "", f"{other_school.login}", "", "", ""],
            ["Панова", "Галина", "", "Город А", "", "", "", "32.13.2026", "", "01.01.2030"],
        ]
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("observers:observer_import"), {"file": SimpleUploadedFile("list.xlsx", content)}
    )
    page = response.content.decode()
    assert "Строка 2, столбец «Фамилия»: не заполнено." in page
    assert "Строка 2, столбец «Эл. почта»: «not-an-email» — не похоже на адрес." in page
    assert "Строка 3, столбец «Муниципалитет»: «Неизвестный район»" in page
    assert (
        f"Строка 4, столбец «ОО родственников»: ОО {other_school.login} нет в реестре вашей территории."
        in page
    )
    assert "Строка 5, столбец «Дата обучения»: «32.13.2026»" in page
    assert "Строка 5: аккредитация без даты обучения и номера удостоверения невозможна." in page
    assert not Observer.objects.exists()


def test_a_file_without_the_header_is_refused(municipality):
    with pytest.raises(ImportRefused) as caught:
        registry.import_observers(
            source=io.BytesIO(xlsx([["ФИО", "Телефон"], ["Громов П. А.", "1"]])),
            filename="x.xlsx",
            municipalities=[municipality],
            schools=[],
        )
    assert "Обязательные столбцы: Фамилия, Имя, Муниципалитет" in caught.value.errors[0]

"""The VPR schedule: coordinators enter their school's, staff import; plans read the dates."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from observers import selectors
from observers.models import ScheduledSession
from observers.services import ImportRefused, ObserversError
from observers.services import schedule as schedule_services
from tests import factories

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def session_form(school, test, **overrides) -> dict:
    data = {
        "school": school.pk,
        "test": test.pk,
        "class_label": "4 а",
        "date": datetime.date(test.year, 4, 14).isoformat(),
        "start_time": "09:00",
        "end_time": "09:45",
    }
    data.update(overrides)
    return data


def test_a_coordinator_adds_a_class_of_their_own_school(client, coordinator, school, vpr_test):
    client.force_login(coordinator)
    response = client.post(reverse("observers:session_create"), session_form(school, vpr_test))
    session = ScheduledSession.objects.get()
    assert response["Location"] == reverse("observers:session_detail", args=[session.pk])
    assert (session.school, session.class_label, session.entered_by) == (school, "4А", coordinator)
    page = client.get(reverse("observers:schedule"), {"past": "1"}).content.decode()
    page += client.get(reverse("observers:schedule")).content.decode()
    assert "4А" in page


def test_a_coordinator_cannot_enter_or_open_another_schools_schedule(
    client, coordinator, other_school, vpr_test
):
    client.force_login(coordinator)
    response = client.post(
        reverse("observers:session_create"), session_form(other_school, vpr_test)
    )
    assert response.status_code == 200 and not ScheduledSession.objects.exists()
    foreign = factories.ScheduledSessionFactory(school=other_school, test=vpr_test)
    assert client.get(reverse("observers:session_detail", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("observers:session_delete", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("observers:schedule_import")).status_code == 404


def test_a_coordinator_does_not_see_who_observes(client, coordinator, session, observer):
    factories.AssignmentFactory(observer=observer, session=session)
    client.force_login(coordinator)
    page = client.get(reverse("observers:session_detail", args=[session.pk])).content.decode()
    assert observer.last_name not in page


def test_the_class_must_match_the_tests_grade_and_the_date_its_year(
    client, coordinator, school, vpr_test
):
    client.force_login(coordinator)
    page = client.post(
        reverse("observers:session_create"),
        session_form(school, vpr_test, class_label="5Б", date="2019-04-14", end_time="08:00"),
    ).content.decode()
    assert "Класс «5Б» не совпадает с работой: Русский язык пишут 4 классы." in page
    assert f"Работа из каталога {vpr_test.year} года, а дата — 14.04.2019." in page
    assert "Время окончания должно быть позже времени начала." in page
    assert not ScheduledSession.objects.exists()


def test_a_class_appears_once_per_test(coordinator, school, vpr_test):
    fields = {
        "school": school,
        "test": vpr_test,
        "class_label": "4А",
        "date": datetime.date(vpr_test.year, 4, 14),
        "start_time": datetime.time(9),
        "end_time": datetime.time(10),
    }
    schedule_services.save_session(user=coordinator, **fields)
    with pytest.raises(ObserversError, match="уже есть в графике"):
        schedule_services.save_session(user=coordinator, **fields)


def test_a_session_with_an_observer_cannot_be_moved_or_deleted(coordinator, session, observer):
    factories.AssignmentFactory(observer=observer, session=session)
    with pytest.raises(ObserversError, match="уже назначен наблюдатель"):
        schedule_services.save_session(
            user=coordinator,
            session=session,
            school=session.school,
            test=session.test,
            class_label=session.class_label,
            date=session.date,
            start_time=datetime.time(11),
            end_time=datetime.time(12),
        )
    with pytest.raises(ObserversError, match="удалить её нельзя"):
        schedule_services.delete_session(session=session)
    session.refresh_from_db()
    assert session.start_time == datetime.time(9)


def test_staff_import_the_schedule_from_excel(client, staff_user, school, second_school, vpr_test):
    year = vpr_test.year
    content = xlsx(
        [
            ["Логин", "Дата", "Предмет", "Класс", "Время начала", "Время окончания"],
            [
                "edu100001",
                datetime.date(year, 4, 14),
                "русский язык",
                "4а",
                datetime.time(9, 0),
                datetime.time(9, 45),
            ],
            ["edu100001", f"15.04.{year}", "Русский язык", "4Б", "10:00", ""],
            ["EDU100002", f"16.04.{year}", "Русский язык", "4 A", "9.30", "10.30"],
        ]
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("observers:schedule_import"), {"file": SimpleUploadedFile("график.xlsx", content)}
    )
    assert response.status_code == 302
    rows = {(s.school.login, s.class_label): s for s in ScheduledSession.objects.all()}
    assert set(rows) == {("edu100001", "4А"), ("edu100001", "4Б"), ("edu100002", "4А")}
    assert rows[("edu100001", "4Б")].end_time == datetime.time(10, 45)  # a lesson by default
    assert rows[("edu100002", "4А")].start_time == datetime.time(9, 30)
    assert all(s.test == vpr_test for s in rows.values())


def test_a_bad_schedule_file_names_each_row_and_saves_nothing(
    staff_user, school, other_school, vpr_test
):
    year = vpr_test.year
    content = xlsx(
        [
            ["Логин", "Дата", "Предмет", "Класс", "Время начала"],
            [other_school.login, f"14.04.{year}", "Русский язык", "4А", "09:00"],
            ["edu100001", "завтра", "Русский язык", "4А", "09:00"],
            ["edu100001", f"14.04.{year}", "Химия", "4А", "09:00"],
            ["edu100001", f"14.04.{year}", "Русский язык", "4Б", "25:00"],
            ["edu100001", f"14.04.{year}", "Русский язык", "4В", "09:00"],
        ]
    )
    with pytest.raises(ImportRefused) as caught:
        schedule_services.import_schedule(
            source=io.BytesIO(content), filename="g.xlsx", schools=[school], user=staff_user
        )
    errors = caught.value.errors
    assert (
        f"Строка 2, столбец «Логин»: ОО {other_school.login} нет в реестре вашей территории."
        in errors
    )
    assert "Строка 3, столбец «Дата»: «завтра» — укажите дату ДД.ММ.ГГГГ." in errors
    assert any(e.startswith("Строка 4: в каталоге нет работы «Химия», 4 класс") for e in errors)
    assert "Строка 5, столбец «Время начала»: «25:00» — время ЧЧ:ММ." in errors
    assert len(errors) == 4
    assert not ScheduledSession.objects.exists()


def test_schedule_dates_give_plans_the_days_of_the_vpr(school, other_school, vpr_test):
    year = vpr_test.year
    for n, (day, target) in enumerate(
        [(14, school), (14, school), (16, other_school), (21, school)]
    ):
        factories.ScheduledSessionFactory(
            school=target,
            test=vpr_test,
            class_label=f"4{'АБВГ'[n]}",
            date=datetime.date(year, 4, day),
        )
    factories.ScheduledSessionFactory(
        school=school, test=vpr_test, class_label="4Д", date=datetime.date(year, 10, 1)
    )
    assert selectors.schedule_dates(year=year) == [
        datetime.date(year, 4, 14),
        datetime.date(year, 4, 16),
        datetime.date(year, 4, 21),
        datetime.date(year, 10, 1),
    ]
    assert selectors.schedule_dates(year=year, municipality=other_school.municipality) == [
        datetime.date(year, 4, 16)
    ]
    assert selectors.schedule_dates(year=year, municipality=school.municipality_id)[
        0
    ] == datetime.date(year, 4, 14)
    assert selectors.schedule_dates(year=year - 1) == []
    assert selectors.schedule_dates_between(
        start=datetime.date(year, 4, 15), end=datetime.date(year, 4, 30)
    ) == [datetime.date(year, 4, 16), datetime.date(year, 4, 21)]

"""Saving a parsed plan dict: structure, deadlines, parties, all or nothing."""

from datetime import date

import pytest

from plans.models import (
    DeadlineKind,
    DeadlineWindow,
    Item,
    PartyKind,
    PartyRole,
    Plan,
    PlanStatus,
    Responsible,
    Section,
)
from plans.services.errors import PlanImportError
from plans.services.importing import import_plan
from tests import factories


@pytest.mark.django_db
def test_a_plan_dict_is_saved_with_sections_nested_items_and_header(
    plan_dict, municipality, staff_user, no_schedule
):
    plan = import_plan(data=plan_dict, municipality=municipality, user=staff_user)
    assert plan.status == PlanStatus.DRAFT
    assert (plan.period_start, plan.period_end) == (date(2023, 9, 1), date(2024, 8, 31))
    assert (plan.approval_name, plan.approval_date) == ("И.В. Петрова", date(2023, 9, 5))
    assert plan.order_reference.startswith("Приложение 1 к приказу")
    assert plan.tasks == ["Недопущение необъективных результатов", "Информирование родителей"]
    assert plan.created_by == staff_user
    sections = list(plan.sections.all())
    assert [(s.number, s.title) for s in sections] == [
        ("1.", "Нормативное обеспечение"),
        ("2.", "Методическое сопровождение"),
    ]
    assert plan.items.count() == 5
    parent = Item.objects.get(plan=plan, number="2")
    assert [c.number for c in parent.children.order_by("position")] == ["2.1", "2.2"]
    assert all(c.section_id == sections[1].pk for c in parent.children.all())


@pytest.mark.django_db
def test_deadlines_keep_their_text_and_windows(plan_dict, municipality, no_schedule):
    plan = import_plan(data=plan_dict, municipality=municipality)
    crossing = Item.objects.get(plan=plan, number="2.1")
    assert crossing.deadline_text == "Октябрь – февраль"
    assert crossing.deadline_kind == DeadlineKind.WINDOW
    assert [(w.start, w.end) for w in crossing.window_list()] == [
        (date(2023, 10, 1), date(2024, 2, 29))
    ]
    unknown = Item.objects.get(plan=plan, number="2.2")
    assert unknown.deadline_kind == DeadlineKind.UNKNOWN and not unknown.deadline_recognised
    assert unknown.deadline_text == "Неизвестно когда"


@pytest.mark.django_db
def test_event_deadlines_take_the_vpr_schedule_of_the_plan_period(
    plan_dict, municipality, vpr_schedule
):
    plan = import_plan(data=plan_dict, municipality=municipality)
    event = Item.objects.get(plan=plan, number="1.2.")
    windows = event.window_list()
    assert [(w.start, w.end, w.from_schedule) for w in windows] == [
        (date(2024, 3, 15), date(2024, 4, 20), True)
    ]


@pytest.mark.django_db
def test_event_deadlines_have_no_windows_while_the_schedule_is_unknown(
    plan_dict, municipality, no_schedule
):
    plan = import_plan(data=plan_dict, municipality=municipality)
    event = Item.objects.get(plan=plan, number="1.2.")
    assert event.deadline_kind == DeadlineKind.EVENT and event.window_list() == []


@pytest.mark.django_db
def test_event_windows_come_from_the_observers_schedule_of_the_municipality(
    plan_dict, municipality, school, other_school
):
    """The tie to observers.selectors.schedule_dates: one window per VPR session."""
    from plans.services.schedule import event_windows

    test = factories.TestFactory(year=2024, grade=4, subject="Русский язык")
    for label, day in (
        ("4А", date(2024, 3, 19)),
        ("4Б", date(2024, 4, 25)),
        ("4В", date(2023, 10, 3)),
    ):
        factories.ScheduledSessionFactory(school=school, test=test, class_label=label, date=day)
    factories.ScheduledSessionFactory(school=other_school, test=test, date=date(2024, 5, 15))
    windows = event_windows(
        municipality=municipality, period_start=date(2023, 9, 1), period_end=date(2024, 8, 31)
    )
    # Autumn and spring are separate sessions; another municipality's day is not ours.
    assert windows == [
        (date(2023, 10, 3), date(2023, 10, 3)),
        (date(2024, 3, 19), date(2024, 4, 25)),
    ]
    plan = import_plan(data=plan_dict, municipality=municipality)
    event = Item.objects.get(plan=plan, number="1.2.")
    assert [(w.start, w.end) for w in event.window_list()] == windows


@pytest.mark.django_db
def test_responsible_parties_are_split_linked_and_their_text_kept(
    plan_dict, municipality, no_schedule
):
    user = factories.make_staff(municipality=municipality)
    user.first_name, user.last_name = "Ирина", "Петрова"
    user.save()
    plan = import_plan(data=plan_dict, municipality=municipality)
    first = Item.objects.get(plan=plan, number="1.1.")
    parties = list(first.responsibles.all())
    assert [(p.text, p.kind, p.role) for p in parties] == [
        ("Отдел образования", PartyKind.ORGANISATION, PartyRole.DEPARTMENT),
        ("Руководители ОО", PartyKind.ROLE, PartyRole.SCHOOL_HEADS),
    ]
    assert first.responsible_text == "Отдел образования, Руководители ОО"
    person = Item.objects.get(plan=plan, number="2.2").responsibles.get()
    assert (person.kind, person.user) == (PartyKind.PERSON, user)


@pytest.mark.django_db
def test_a_school_named_as_responsible_is_linked_to_the_registry(municipality, no_schedule):
    school = factories.SchoolFactory(municipality=municipality, short_name="СОШ № 5")
    factories.SchoolFactory(municipality=municipality, short_name="СОШ № 51")
    data = {
        "title": "План",
        "period": {"start": None, "end": None},
        "sections": [
            {
                "number": None,
                "title": None,
                "items": [
                    {
                        "number": "1",
                        "text": "Пробная ВПР",
                        "deadline": {"text": "", "kind": "unknown", "windows": []},
                        "responsible": ["МБОУ «СОШ № 5»"],
                        "expected_result": None,
                        "children": [],
                    }
                ],
            }
        ],
    }
    plan = import_plan(data=data, municipality=municipality)
    party = Responsible.objects.get(item__plan=plan)
    assert (party.kind, party.school) == (PartyKind.SCHOOL, school)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(title="  "), "Не указано название плана."),
        (lambda d: d.update(sections=[]), "В плане нет ни одного раздела"),
        (lambda d: d["sections"][0]["items"][0].update(text=""), "Пункт 1.1: не указан текст"),
        (
            lambda d: d["sections"][0]["items"][0]["deadline"].update(kind="someday"),
            "неизвестный вид срока",
        ),
        (
            lambda d: d["sections"][0]["items"][0]["deadline"].update(
                windows=[{"start": "2024-04-01", "end": "2024-03-01"}]
            ),
            "начало срока позже его окончания",
        ),
        (lambda d: d["period"].update(start="01.09.2023"), "не дата"),
    ],
)
def test_bad_data_is_refused_with_a_russian_message_and_nothing_is_saved(
    plan_dict, municipality, no_schedule, mutate, message
):
    mutate(plan_dict)
    with pytest.raises(PlanImportError) as error:
        import_plan(data=plan_dict, municipality=municipality)
    assert message in error.value.message_ru
    assert not Plan.objects.exists() and not Section.objects.exists()
    assert not Item.objects.exists() and not DeadlineWindow.objects.exists()


@pytest.mark.django_db
def test_a_failure_half_way_rolls_everything_back(plan_dict, municipality, monkeypatch):
    from plans.services import importing

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing.DeadlineWindow.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        import_plan(data=plan_dict, municipality=municipality)
    assert not Plan.objects.exists() and not Item.objects.exists()

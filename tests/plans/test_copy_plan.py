"""Copying a plan to the next period: windows a year later, statuses reset, texts follow."""

from datetime import date

import pytest
from django.urls import reverse

from plans.models import Evidence, Item, ItemStatus, Plan, PlanStatus, SchoolReport
from plans.services.copying import shift_date, shift_years_in_text
from plans.services.importing import import_plan


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 3, 20), date(2025, 3, 20)),
        (date(2024, 2, 29), date(2025, 2, 28)),  # leap day
        (date(2023, 2, 28), date(2024, 2, 29)),  # a month end stays a month end
        (date(2023, 8, 31), date(2024, 8, 31)),
    ],
)
def test_dates_move_a_year_on(day, expected):
    assert shift_date(day) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Май 2023г.", "Май 2024г."),
        ("ВПР 2023-2024 учебного года", "ВПР 2024-2025 учебного года"),
        ("09.10.19", "09.10.20"),
        ("20.03-26.03.2021", "20.03-26.03.2022"),
        ("Декабрь 2020 года, сентябрь 2021 года", "Декабрь 2021 года, сентябрь 2022 года"),
        ("Телефон 8(3953)411-645", "Телефон 8(3953)411-645"),
        ("В течение года", "В течение года"),
    ],
)
def test_years_written_in_texts_move_a_year_on(text, expected):
    assert shift_years_in_text(text) == expected


@pytest.mark.django_db
def test_copying_makes_a_draft_a_year_later_with_statuses_reset(
    client, staff_user, plan_dict, municipality, vpr_schedule
):
    plan = import_plan(data=plan_dict, municipality=municipality, status=PlanStatus.APPROVED)
    done = Item.objects.get(plan=plan, number="1.1.")
    done.status, done.completed_on, done.report_text = ItemStatus.DONE, date(2024, 3, 5), "Готово"
    done.save()
    Evidence.objects.create(item=done, url="https://example.org/prikaz")
    school = municipality.schools.create(login="edu100009", full_name="Школа", short_name="Школа")
    SchoolReport.objects.create(item=done, school=school, report_text="Сделано")

    client.force_login(staff_user)
    confirm = client.get(reverse("plans:copy", args=[plan.pk])).content.decode()
    assert "сдвигаются на год" in confirm and Plan.objects.count() == 1
    response = client.post(reverse("plans:copy", args=[plan.pk]))
    copy = Plan.objects.exclude(pk=plan.pk).get()
    assert response.url == reverse("plans:detail", args=[copy.pk])

    assert copy.status == PlanStatus.DRAFT and copy.copied_from == plan
    assert copy.title.endswith("в 2024-2025 учебном году")
    assert (copy.period_start, copy.period_end) == (date(2024, 9, 1), date(2025, 8, 31))
    assert copy.approval_date is None and copy.order_reference == ""
    assert copy.approval_name == plan.approval_name
    assert copy.items.count() == plan.items.count() == 5
    assert not copy.items.exclude(status=ItemStatus.PLANNED).exists()
    assert not copy.items.exclude(completed_on=None).exists()
    assert not copy.items.exclude(report_text="").exists()
    assert not Evidence.objects.filter(item__plan=copy).exists()
    assert not SchoolReport.objects.filter(item__plan=copy).exists()

    copied = Item.objects.get(plan=copy, number="1.1.")
    assert copied.deadline_text == "Март 2025"  # the written year follows the window
    assert [(w.start, w.end) for w in copied.window_list()] == [
        (date(2025, 3, 1), date(2025, 3, 31))
    ]
    crossing = Item.objects.get(plan=copy, number="2.1")
    assert [(w.start, w.end) for w in crossing.window_list()] == [
        (date(2024, 10, 1), date(2025, 2, 28))
    ]
    parent = Item.objects.get(plan=copy, number="2")
    assert [c.number for c in parent.children.order_by("position")] == ["2.1", "2.2"]
    assert [r.text for r in copied.responsibles.all()] == ["Отдел образования", "Руководители ОО"]
    # The original is untouched.
    done.refresh_from_db()
    assert done.status == ItemStatus.DONE and done.evidence.count() == 1


@pytest.mark.django_db
def test_event_windows_of_the_copy_come_from_the_new_years_schedule(
    plan_dict, municipality, monkeypatch
):
    from plans.services import copying, schedule

    days = {2024: [date(2024, 4, 16)], 2025: [date(2025, 4, 15), date(2025, 4, 22)]}

    def fake(*, municipality, period_start, period_end):
        return [d for y in days for d in days[y] if period_start <= d <= period_end]

    monkeypatch.setattr(schedule, "vpr_dates", fake)
    plan = import_plan(data=plan_dict, municipality=municipality)
    copy = copying.copy_plan_to_next_period(plan=plan)
    event = Item.objects.get(plan=copy, number="1.2.")
    assert [(w.start, w.end, w.from_schedule) for w in event.window_list()] == [
        (date(2025, 4, 15), date(2025, 4, 22), True)
    ]

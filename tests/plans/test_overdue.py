"""Overdue is derived, never stored: an open item whose last window ended before today."""

from datetime import date

import pytest

from plans.models import Item, ItemStatus
from plans.selectors import plan_items, plan_progress
from tests import factories

TODAY = date(2024, 4, 15)


def make(section, number, status=ItemStatus.PLANNED, windows=None, completed_on=None):
    return factories.PlanItemFactory(
        section=section, number=number, status=status, windows=windows, completed_on=completed_on
    )


@pytest.fixture
def section(municipality):
    return factories.PlanSectionFactory(plan=factories.PlanFactory(municipality=municipality))


@pytest.mark.django_db
def test_overdue_is_derived_from_the_last_window_and_the_status(section):
    march = [(date(2024, 3, 1), date(2024, 3, 31))]
    items = {
        "late": make(section, "1", windows=march),
        "late_in_progress": make(section, "2", ItemStatus.IN_PROGRESS, windows=march),
        "done": make(section, "3", ItemStatus.DONE, windows=march, completed_on=date(2024, 3, 5)),
        "cancelled": make(section, "4", ItemStatus.CANCELLED, windows=march),
        "ends_today": make(section, "5", windows=[(date(2024, 4, 1), date(2024, 4, 15))]),
        "two_windows": make(
            section,
            "6",
            windows=[
                (date(2023, 12, 1), date(2023, 12, 31)),
                (date(2024, 9, 1), date(2024, 9, 30)),
            ],
        ),
        "no_windows": make(section, "7", windows=[]),
    }
    expected = {"late", "late_in_progress"}
    overdue = set(Item.objects.overdue(today=TODAY).values_list("number", flat=True))
    assert overdue == {items[k].number for k in expected}
    annotated = {i.number: i.is_overdue for i in Item.objects.with_deadline_state(today=TODAY)}
    assert {n for n, late in annotated.items() if late} == overdue
    for key, obj in items.items():
        assert obj.is_overdue_on(TODAY) == (key in expected), key


@pytest.mark.django_db
def test_progress_counts_measures_not_containers_and_leaves_out_cancelled(section):
    march = [(date(2024, 3, 1), date(2024, 3, 31))]
    parent = make(section, "8", windows=[])
    factories.PlanItemFactory(
        section=section,
        parent=parent,
        number="8.1",
        status=ItemStatus.DONE,
        windows=march,
        completed_on=date(2024, 3, 10),
    )
    factories.PlanItemFactory(
        section=section,
        parent=parent,
        number="8.2",
        status=ItemStatus.DONE,
        windows=march,
        completed_on=date(2024, 4, 2),
    )
    make(section, "9", windows=march)
    make(section, "10", ItemStatus.CANCELLED, windows=march)
    make(section, "11", ItemStatus.DONE, windows=[], completed_on=date(2024, 1, 1))
    progress = plan_progress(plan_items(section.plan), today=TODAY)
    assert progress.total == 4  # 8.1, 8.2, 9, 11 — not the container 8, not the cancelled 10
    assert (progress.done, progress.done_on_time, progress.overdue) == (3, 2, 1)
    assert progress.cancelled == 1
    assert progress.done_percent == 75 and progress.on_time_percent == 50

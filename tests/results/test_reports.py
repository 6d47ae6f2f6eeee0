"""The ФИС ОКО reports, checked against numbers worked out by hand.

Test: 4 tasks (1: 2 б. Б, 2: 2 б. Б, 3: 3 б. Б, 4: 3 б. П), max 10, «3» from 4, «4» from
6, «5» from 8. School A and school B are in municipality M1, school C in M2 (same region).
"""

import pytest

from results.selectors import reports
from tests import factories

pytestmark = pytest.mark.django_db

A_ROWS = [
    ("4А", [2, 2, 3, 3], 5, 5),  # confirmed
    ("4А", [2, 2, 2, 0], 4, 3),  # raised
    ("4Б", [1, 1, 1, 0], 2, 4),  # lowered by two
    ("4Б", [2, 1, 1, 0], 3, 0),  # no journal mark
]
B_ROWS = [("4А", [0, 0, 1, 0], 2, 2), ("4А", [2, 2, 3, 1], 5, 5)]
C_ROWS = [("4А", [1, 1, 1, 1], 3, 3), ("4А", [2, 2, 2, 2], 5, 4)]


@pytest.fixture
def world(region, municipality, other_municipality):
    test = factories.TestFactory(year=2026, grade=4)
    a = factories.SchoolFactory(municipality=municipality, login="edu100011")
    b = factories.SchoolFactory(municipality=municipality, login="edu100012")
    c = factories.SchoolFactory(municipality=other_municipality, login="edu200013")
    factories.make_results(test=test, school=a, rows=A_ROWS)
    factories.make_results(test=test, school=b, rows=B_ROWS)
    factories.make_results(test=test, school=c, rows=C_ROWS)
    return {"test": test, "a": a, "b": b, "c": c, "municipality": municipality}


def scope_for_school(world, class_label=""):
    staff = factories.make_staff(municipality=world["municipality"])
    return reports.resolve_scope(
        staff, test=world["test"], school_id=world["a"].pk, class_label=class_label
    )


def by_level(report):
    return {g["level"]: g for g in report["groups"]}


def test_marks_report_gives_shares_for_school_municipality_and_region(world):
    groups = by_level(reports.marks_report(scope_for_school(world)))
    school, municipality, region = groups["school"], groups["municipality"], groups["region"]
    assert school["n"] == 4 and school["shares"] == {"2": 25.0, "3": 25.0, "4": 25.0, "5": 25.0}
    assert school["quality"] == 50.0 and school["mean_percent"] == pytest.approx(57.5)
    assert municipality["n"] == 6 and municipality["counts"] == {"2": 2, "3": 1, "4": 1, "5": 2}
    assert municipality["mean_percent"] == pytest.approx(100 * 32 / 60)
    assert region["n"] == 8 and region["shares"]["5"] == 37.5 and region["shares"]["4"] == 12.5
    assert region["mean_percent"] == pytest.approx(55.0)


def test_a_class_is_a_group_of_its_own(world):
    groups = by_level(reports.marks_report(scope_for_school(world, class_label="4Б")))
    assert groups["class"]["n"] == 2 and groups["class"]["counts"] == {
        "2": 1,
        "3": 1,
        "4": 0,
        "5": 0,
    }
    assert groups["school"]["n"] == 4


def test_journal_report_counts_lowered_confirmed_raised_among_pupils_with_a_journal_mark(world):
    school = by_level(reports.journal_report(scope_for_school(world)))["school"]
    assert (school["n"], school["compared"]) == (4, 3)
    assert (school["lowered"], school["confirmed"], school["raised"]) == (1, 1, 1)
    assert school["large_gap"] == 1
    assert school["raised_pct"] == pytest.approx(100 / 3)
    region = by_level(reports.journal_report(scope_for_school(world)))["region"]
    # Region: A (1 / 1 / 1) + B (0 / 2 / 0) + C (0 / 1 / 1).
    assert (region["lowered"], region["confirmed"], region["raised"]) == (1, 4, 2)


def test_histogram_counts_each_primary_score_and_carries_the_cuts(world):
    report = reports.histogram_report(scope_for_school(world))
    school = by_level(report)["school"]
    assert report["bins"] == list(range(11))
    assert report["cuts"] == {"3": 4, "4": 6, "5": 8}
    assert school["counts"] == [0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1]
    assert school["shares"][10] == 25.0


def test_tasks_report_gives_success_per_task_and_fioko_verdicts(world):
    report = reports.tasks_report(scope_for_school(world))
    tasks = {t["number"]: t for t in report["tasks"]}
    assert tasks["1"]["success"]["school"] == pytest.approx(87.5)
    assert tasks["2"]["success"]["school"] == pytest.approx(75.0)
    assert tasks["3"]["success"]["school"] == pytest.approx(100 * 7 / 12)
    assert tasks["4"]["success"]["school"] == pytest.approx(25.0)
    assert tasks["3"]["verdict"] == "uncertain"  # 58.3 % within 60 ± 3
    assert tasks["4"]["verdict"] == "below"  # advanced: 25 % < 30 − 1.5
    assert tasks["1"]["verdict"] == "" and tasks["4"]["threshold"] == 30.0
    # Region success of task 4: (3+0+0+0 + 0+1 + 1+2) / (8 · 3).
    assert tasks["4"]["success"]["region"] == pytest.approx(100 * 7 / 24)


def test_staff_without_a_school_get_a_line_per_school_of_their_municipality(world):
    staff = factories.make_staff(municipality=world["municipality"])
    scope = reports.resolve_scope(staff, test=world["test"])
    report = reports.marks_report(scope)
    assert [s["login"] for s in report["schools"]] == ["edu100011", "edu100012"]
    assert {g["level"] for g in report["groups"]} == {"region", "municipality"}


def test_dynamics_flags_a_rise_of_ten_points_in_the_share_of_twos(world):
    earlier = factories.TestFactory(year=2025, grade=4)
    factories.make_results(test=earlier, school=world["a"], rows=[("4А", [2, 2, 3, 3], 5, 5)] * 4)
    report = reports.dynamics_report(scope_for_school(world))
    assert report["years"] == ["2025", "2026"]
    school = by_level(report)["school"]
    assert [p["share_2"] for p in school["points"]] == [0.0, 25.0]
    assert school["negative"] == ["2026: доля «2» выросла на 25 п. п."]


def test_small_groups_carry_fiokos_sample_warning(world):
    school = by_level(reports.marks_report(scope_for_school(world)))["school"]
    assert "менее 20 участников" in school["sample_note"]

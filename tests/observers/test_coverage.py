"""Coverage (МУКО): share of sessions observed per school and municipality; sign f keys."""

import datetime

import pytest
from django.urls import reverse

from observers import selectors
from observers.models import Stage, ViolationType
from observers.services import acts as act_services
from tests import factories

pytestmark = pytest.mark.django_db


def file_act(assignment, *, codes=(), stage=None):
    act_services.save_act_draft(
        assignment=assignment,
        draft=act_services.ActDraft(
            observed_from=datetime.time(9),
            observed_to=datetime.time(9, 45),
            stage=stage or assignment.stage,
            no_violations=not codes,
            violation_ids=list(
                ViolationType.objects.filter(code__in=codes).values_list("pk", flat=True)
            ),
        ),
    )
    return act_services.submit_act(assignment=assignment)


@pytest.fixture
def scene(municipality, school, second_school, observer, vpr_test, today):
    """СОШ № 1: 4А observed (two violations), 4Б assigned but no act. СОШ № 5: 4А unobserved,
    4Б observed at the checking stage only. A third school has no sessions at all."""
    third = factories.SchoolFactory(municipality=municipality, short_name="СОШ № 9")
    # A few days ago, but within this year (coverage is counted per calendar year).
    day = max(today - datetime.timedelta(days=3), datetime.date(today.year, 1, 1))

    def make(school, label, start):
        return factories.ScheduledSessionFactory(
            school=school,
            test=vpr_test,
            class_label=label,
            date=day,
            start_time=start,
            end_time=(
                datetime.datetime.combine(day, start) + datetime.timedelta(minutes=45)
            ).time(),
        )

    s1a = make(school, "4А", datetime.time(9))
    s1b = make(school, "4Б", datetime.time(10))
    s5a = make(second_school, "4А", datetime.time(11))
    s5b = make(second_school, "4Б", datetime.time(12))
    file_act(
        factories.AssignmentFactory(observer=observer, session=s1a),
        codes=["phones-notes", "prompting"],
    )
    factories.AssignmentFactory(observer=observer, session=s1b)
    file_act(
        factories.AssignmentFactory(observer=observer, session=s5b, stage=Stage.CHECKING),
        codes=["single-checker"],
    )
    return {"s1a": s1a, "s1b": s1b, "s5a": s5a, "s5b": s5b, "third": third}


def test_coverage_counts_sessions_with_a_filed_act(staff_user, scene, today):
    report = selectors.coverage_for_user(staff_user, year=today.year)
    by_school = {line.label: (line.sessions, line.observed) for line in report.by_school}
    assert by_school == {"СОШ № 1": (2, 1), "СОШ № 5": (2, 1)}
    (city,) = report.by_municipality
    assert (city.sessions, city.observed, city.share) == (4, 2, 0.5)
    assert (city.schools, city.schools_observed, city.school_share) == (2, 2, 1.0)
    never = [(school.short_name, flag) for school, flag in report.never_observed]
    assert never == [("СОШ № 9", True)]


def test_violations_are_counted_by_type_and_school(staff_user, scene, today):
    report = selectors.coverage_for_user(staff_user, year=today.year)
    titles = [title for _, title, _ in report.violation_types]
    assert len(titles) == 3 and all(total == 1 for _, _, total in report.violation_types)
    rows = {school: total for school, _, total in report.violations_by_school}
    assert rows == {"СОШ № 1": 2, "СОШ № 5": 1}


def test_the_coverage_page_is_for_staff_of_the_territory(
    client, staff_user, coordinator, scene, today
):
    client.force_login(staff_user)
    page = client.get(reverse("observers:coverage"), {"year": today.year}).content.decode()
    assert "Охват ВПР общественным наблюдением" in page
    assert "50 %" in page and "2 из 2" in page
    assert "ни разу не наблюдались" in page
    assert "Работы проверяет один учитель, без комиссии"[:40] in page
    client.force_login(coordinator)
    assert client.get(reverse("observers:coverage")).status_code == 404


def test_sign_f_gets_observed_and_unobserved_classes(scene, school, second_school, vpr_test, today):
    keys = selectors.observed_class_results_keys(year=today.year)
    got = {(k.school_id, k.class_label): k.observed for k in keys}
    # Only an act for the test in the room counts: 4Б of СОШ № 5 was watched while checking.
    assert got == {
        (school.pk, "4А"): True,
        (school.pk, "4Б"): False,
        (second_school.pk, "4А"): False,
        (second_school.pk, "4Б"): False,
    }
    assert all(k.test_id == vpr_test.pk for k in keys)
    assert (
        selectors.observed_class_results_keys(year=today.year, school_ids=[second_school.pk])[
            0
        ].school_id
        == second_school.pk
    )
    assert selectors.observed_class_results_keys(year=today.year - 1) == []


def test_a_returned_act_still_proves_the_visit_but_a_draft_does_not(observer, session, today):
    assignment = factories.AssignmentFactory(observer=observer, session=session)
    act_services.save_act_draft(
        assignment=assignment, draft=act_services.ActDraft(no_violations=True)
    )
    assert selectors.observed_class_results_keys(year=today.year)[0].observed is False
    act_services.save_act_draft(
        assignment=assignment,
        draft=act_services.ActDraft(
            observed_from=datetime.time(9), observed_to=datetime.time(10), no_violations=True
        ),
    )
    act = act_services.submit_act(assignment=assignment)
    act_services.review_act(act=act, reviewer=None, decision="return", comment="уточните")
    assert selectors.observed_class_results_keys(year=today.year)[0].observed is True


def test_sessions_still_ahead_do_not_dilute_the_share(staff_user, scene, school, vpr_test, today):
    factories.ScheduledSessionFactory(
        school=school, test=vpr_test, class_label="4В", date=today + datetime.timedelta(days=5)
    )
    report = selectors.coverage_for_user(staff_user, year=today.year)
    assert {line.label: line.sessions for line in report.by_school}["СОШ № 1"] == 2

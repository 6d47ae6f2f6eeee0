"""Planning: uncovered sessions, automatic proposals (no conflict, balanced, local first)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from observers.models import Assignment, ObserverStatus, TieKind
from observers.services.assignments import propose_observers
from tests import factories

pytestmark = pytest.mark.django_db


def names(candidates) -> list[str]:
    return [c.observer.last_name for c in candidates]


def test_proposals_leave_out_everyone_with_a_conflict(
    municipality, session, parallel_session, today
):
    fine = factories.ObserverFactory(municipality=municipality, last_name="Свободная")
    works_there = factories.ObserverFactory(municipality=municipality, last_name="Учительница")
    factories.ObserverTieFactory(observer=works_there, school=session.school, kind=TieKind.WORKS)
    expired = factories.ObserverFactory(
        municipality=municipality,
        last_name="Просроченная",
        accredited_until=today - datetime.timedelta(days=1),
    )
    factories.ObserverFactory(
        municipality=municipality, last_name="Заявитель", status=ObserverStatus.APPLICATION
    )
    busy = factories.ObserverFactory(municipality=municipality, last_name="Занятая")
    factories.AssignmentFactory(observer=busy, session=parallel_session)
    proposals = propose_observers(observers=[fine, works_there, expired, busy], sessions=[session])
    assert names(proposals[session.pk]) == ["Свободная"]


def test_the_same_municipality_comes_first(municipality, other_municipality, session):
    factories.ObserverFactory(municipality=other_municipality, last_name="Абрамова")
    factories.ObserverFactory(municipality=municipality, last_name="Яковлева")
    from observers.models import Observer

    proposals = propose_observers(observers=Observer.objects.all(), sessions=[session])
    assert names(proposals[session.pk]) == ["Яковлева", "Абрамова"]
    assert [c.same_municipality for c in proposals[session.pk]] == [True, False]


def test_the_load_is_balanced_and_nobody_is_double_booked(
    municipality, school, second_school, vpr_test, today
):
    loaded = factories.ObserverFactory(municipality=municipality, last_name="Андреева")
    idle = factories.ObserverFactory(municipality=municipality, last_name="Борисова")
    earlier = factories.ScheduledSessionFactory(
        school=second_school,
        test=vpr_test,
        class_label="4В",
        date=max(today - datetime.timedelta(days=2), datetime.date(today.year, 1, 1)),
        start_time=datetime.time(15),
        end_time=datetime.time(15, 45),
    )
    factories.AssignmentFactory(observer=loaded, session=earlier)
    at_nine = [
        factories.ScheduledSessionFactory(
            school=school, test=vpr_test, class_label="4А", date=today
        ),
        factories.ScheduledSessionFactory(
            school=second_school, test=vpr_test, class_label="4А", date=today
        ),
    ]
    later = factories.ScheduledSessionFactory(
        school=school,
        test=vpr_test,
        class_label="4Б",
        date=today,
        start_time=datetime.time(11),
        end_time=datetime.time(11, 45),
    )
    proposals = propose_observers(observers=[loaded, idle], sessions=[*at_nine, later])
    first_choices = [proposals[s.pk][0].observer.last_name for s in at_nine]
    assert first_choices == ["Борисова", "Андреева"]  # the idle one first, then not twice at 9:00
    assert proposals[at_nine[1].pk][0].load == 1
    # At 11:00 both are free; Андреева now carries two (one real, one proposed).
    assert names(proposals[later.pk]) == ["Борисова", "Андреева"]


def test_the_planning_page_shows_uncovered_sessions_and_proposals(
    client, staff_user, session, observer
):
    client.force_login(staff_user)
    page = client.get(reverse("observers:planning")).content.decode()
    assert 'data-testid="uncovered">1<' in page
    assert f'value="{session.pk}:{observer.pk}" selected' in page


def test_staff_confirm_the_proposals_and_the_observer_gets_an_email(
    client, staff_user, session, observer, django_capture_on_commit_callbacks, eager_celery
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("observers:planning_confirm"),
            {"pick": [f"{session.pk}:{observer.pk}", ""]},
            follow=True,
        )
    assert "Назначено наблюдателей: 1" in response.content.decode()
    assignment = Assignment.objects.get()
    assert (assignment.observer, assignment.session, assignment.assigned_by) == (
        observer,
        session,
        staff_user,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [observer.email]
    assert "Назначение общественным наблюдателем: СОШ № 1" in mail.outbox[0].subject
    assert "Русский язык, 4А класс" in mail.outbox[0].body


def test_confirming_rechecks_the_rules(client, staff_user, session, observer):
    factories.ObserverTieFactory(observer=observer, school=session.school, kind=TieKind.WORKS)
    client.force_login(staff_user)
    response = client.post(
        reverse("observers:planning_confirm"), {"pick": f"{session.pk}:{observer.pk}"}, follow=True
    )
    assert "наблюдатель работает в этой ОО" in response.content.decode()
    assert not Assignment.objects.exists()


def test_staff_cannot_assign_outside_their_territory(
    client, staff_user, other_school, vpr_test, observer
):
    foreign = factories.ScheduledSessionFactory(school=other_school, test=vpr_test)
    client.force_login(staff_user)
    client.post(reverse("observers:planning_confirm"), {"pick": f"{foreign.pk}:{observer.pk}"})
    assert (
        client.post(
            reverse("observers:assign", args=[foreign.pk]), {"observer": observer.pk}
        ).status_code
        == 404
    )
    assert not Assignment.objects.exists()

"""Conflict-of-interest rules: each refused with a Russian reason, logged, nothing lost."""

import datetime

import pytest
from django.urls import reverse

from observers.models import (
    Assignment,
    AssignmentRefusal,
    ConflictRule,
    ObserverStatus,
    Stage,
    TieKind,
)
from observers.services.assignments import AssignmentRefused, create_assignment
from tests import factories

pytestmark = pytest.mark.django_db


def refuse(observer, session, staff_user, **kwargs) -> AssignmentRefused:
    before = Assignment.objects.count()
    with pytest.raises(AssignmentRefused) as caught:
        create_assignment(observer=observer, session=session, assigned_by=staff_user, **kwargs)
    assert Assignment.objects.count() == before  # nothing was saved
    return caught.value


def test_an_observer_cannot_watch_the_school_where_they_work(observer, session, staff_user):
    factories.ObserverTieFactory(observer=observer, school=session.school, kind=TieKind.WORKS)
    refused = refuse(observer, session, staff_user)
    assert refused.rules == [ConflictRule.WORKPLACE]
    assert "Конфликт интересов: наблюдатель работает в этой ОО (СОШ № 1)" in refused.message_ru


def test_an_observer_cannot_watch_the_school_where_their_child_studies(
    observer, session, staff_user
):
    factories.ObserverTieFactory(
        observer=observer, school=session.school, kind=TieKind.CHILD_STUDIES
    )
    refused = refuse(observer, session, staff_user)
    assert refused.rules == [ConflictRule.RELATIVE]
    assert "в этой ОО учится ребёнок наблюдателя" in refused.message_ru


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (TieKind.RELATIVE_STUDIES, "учится родственник"),
        (TieKind.RELATIVE_WORKS, "работает родственник"),
        (TieKind.RELATIVE, "учится или работает ребёнок или родственник"),
    ],
)
def test_a_school_where_a_relative_studies_or_works_is_refused(
    observer, session, staff_user, kind, words
):
    factories.ObserverTieFactory(observer=observer, school=session.school, kind=kind)
    refused = refuse(observer, session, staff_user)
    assert refused.rules == [ConflictRule.RELATIVE]
    assert words in refused.message_ru


def test_a_tie_to_another_school_does_not_matter(observer, session, second_school, staff_user):
    factories.ObserverTieFactory(observer=observer, school=second_school, kind=TieKind.WORKS)
    assignment = create_assignment(observer=observer, session=session, assigned_by=staff_user)
    assert assignment.session == session


def test_an_observer_cannot_be_in_two_places_at_once(
    observer, session, parallel_session, staff_user
):
    first = create_assignment(observer=observer, session=session, assigned_by=staff_user)
    refused = refuse(observer, parallel_session, staff_user)
    assert refused.rules == [ConflictRule.OVERLAP]
    assert "уже назначен: СОШ № 1, Русский язык, 4А" in refused.message_ru
    assert "с 09:00 до 09:45" in refused.message_ru
    assert "Нельзя быть в двух местах одновременно" in refused.message_ru
    first.refresh_from_db()
    assert first.is_active  # the first assignment is untouched


def test_two_classes_of_one_school_at_the_same_hour_also_overlap(
    observer, session, vpr_test, staff_user
):
    create_assignment(observer=observer, session=session, assigned_by=staff_user)
    other_class = factories.ScheduledSessionFactory(
        school=session.school, test=vpr_test, class_label="4Б", date=session.date
    )
    assert refuse(observer, other_class, staff_user).rules == [ConflictRule.OVERLAP]


def test_back_to_back_sessions_do_not_overlap(
    observer, session, second_school, vpr_test, staff_user
):
    create_assignment(observer=observer, session=session, assigned_by=staff_user)
    later = factories.ScheduledSessionFactory(
        school=second_school,
        test=vpr_test,
        date=session.date,
        start_time=datetime.time(9, 45),
        end_time=datetime.time(10, 30),
    )
    assert create_assignment(observer=observer, session=later, assigned_by=staff_user).is_active


def test_a_custom_time_for_checking_works_is_what_is_compared(
    observer, session, parallel_session, staff_user
):
    create_assignment(observer=observer, session=session, assigned_by=staff_user)
    # Checking the other school's works in the afternoon is fine; at 09:30 it is not.
    afternoon = create_assignment(
        observer=observer,
        session=parallel_session,
        assigned_by=staff_user,
        stage=Stage.CHECKING,
        start_time=datetime.time(14, 0),
        end_time=datetime.time(16, 0),
    )
    assert afternoon.start_time == datetime.time(14, 0)


def test_a_cancelled_assignment_frees_the_slot(observer, session, parallel_session, staff_user):
    from observers.services.assignments import cancel_assignment

    first = create_assignment(observer=observer, session=session, assigned_by=staff_user)
    cancel_assignment(assignment=first)
    assert create_assignment(observer=observer, session=parallel_session, assigned_by=staff_user)


def test_expired_accreditation_is_refused_with_both_dates(observer, session, staff_user, today):
    observer.accredited_until = today - datetime.timedelta(days=1)
    observer.save()
    refused = refuse(observer, session, staff_user)
    assert refused.rules == [ConflictRule.ACCREDITATION]
    expired = (today - datetime.timedelta(days=1)).strftime("%d.%m.%Y")
    assert f"действует до {expired}" in refused.message_ru
    assert "срок аккредитации истёк" in refused.message_ru


def test_accreditation_must_cover_the_day_of_the_session(observer, session, staff_user, today):
    # Valid today, but the session is next week, after the term ends.
    observer.accredited_until = today + datetime.timedelta(days=2)
    observer.save()
    session.date = today + datetime.timedelta(days=7)
    session.save()
    assert refuse(observer, session, staff_user).rules == [ConflictRule.ACCREDITATION]


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ObserverStatus.APPLICATION, "не аккредитован (статус: заявка)"),
        (ObserverStatus.TRAINED, "не аккредитован (статус: обучение пройдено)"),
        (ObserverStatus.SUSPENDED, "приостановлена: не явился"),
    ],
)
def test_an_observer_without_a_valid_accreditation_is_refused(
    observer, session, staff_user, status, words
):
    observer.status = status
    observer.suspension_reason = "не явился" if status == ObserverStatus.SUSPENDED else ""
    observer.save()
    refused = refuse(observer, session, staff_user)
    assert refused.rules == [ConflictRule.ACCREDITATION]
    assert words in refused.message_ru


def test_every_broken_rule_is_named_at_once(observer, session, parallel_session, staff_user, today):
    create_assignment(observer=observer, session=parallel_session, assigned_by=staff_user)
    factories.ObserverTieFactory(observer=observer, school=session.school, kind=TieKind.WORKS)
    observer.accredited_until = today - datetime.timedelta(days=3)
    observer.save()
    refused = refuse(observer, session, staff_user)
    assert refused.rules == [
        ConflictRule.ACCREDITATION,
        ConflictRule.WORKPLACE,
        ConflictRule.OVERLAP,
    ]


def test_a_refused_attempt_is_kept_in_the_log(observer, session, staff_user):
    factories.ObserverTieFactory(observer=observer, school=session.school, kind=TieKind.WORKS)
    refuse(observer, session, staff_user)
    refusal = AssignmentRefusal.objects.get()
    assert (refusal.observer, refusal.session, refusal.attempted_by) == (
        observer,
        session,
        staff_user,
    )
    assert refusal.rules == [ConflictRule.WORKPLACE]
    assert "работает в этой ОО" in refusal.reason


def test_the_staff_page_shows_the_reason_and_the_log_lists_it(
    client, observer, session, staff_user
):
    factories.ObserverTieFactory(
        observer=observer, school=session.school, kind=TieKind.CHILD_STUDIES
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("observers:assign", args=[session.pk]),
        {"observer": observer.pk, "stage": Stage.TEST},
        follow=True,
    )
    page = response.content.decode()
    assert "назначение отклонено" in page
    assert "в этой ОО учится ребёнок наблюдателя" in page
    assert not Assignment.objects.exists()
    log = client.get(reverse("observers:refusal_list")).content.decode()
    assert "в этой ОО учится ребёнок наблюдателя" in log
    assert "Белова Т. И." in log


def test_the_same_stage_twice_is_refused_without_a_conflict_entry(observer, session, staff_user):
    from observers.services import ObserversError

    create_assignment(observer=observer, session=session, assigned_by=staff_user)
    with pytest.raises(ObserversError, match="уже назначен"):
        create_assignment(observer=observer, session=session, assigned_by=staff_user)
    assert Assignment.objects.count() == 1

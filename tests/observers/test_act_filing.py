"""The act on the observer's side: autosaved drafts, submission that locks, refusals keep all."""

import datetime

import pytest
from django.urls import reverse

from observers.models import Act, ActStatus, ViolationType
from observers.services import acts as act_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(observer, session):
    return factories.AssignmentFactory(observer=observer, session=session)


@pytest.fixture
def logged_in(client, observer_user):
    client.force_login(observer_user)
    return client


def violation(code: str) -> ViolationType:
    return ViolationType.objects.get(code=code)


def act_data(**overrides) -> dict:
    data = {
        "observed_from": "08:50",
        "observed_to": "09:50",
        "stage": "test",
        "violations": [violation("phones-notes").pk, violation("prompting").pk],
        "comments": "Двое участников пользовались телефонами.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_observer_opens_their_assignment_with_the_checklist(logged_in, assignment):
    page = logged_in.get(reverse("observers:act_edit", args=[assignment.pk])).content.decode()
    assert "Акт общественного наблюдения за проведением ВПР" in page
    assert "СОШ № 1" in page or assignment.session.school.full_name in page
    assert "Нарушений не выявлено" in page
    assert "Участники используют телефоны" in page
    assert 'name="viewport"' in page and "width=device-width" in page
    assert not Act.objects.exists()  # opening the page writes nothing


def test_my_assignments_lists_todays_visit_first(logged_in, assignment):
    page = logged_in.get(reverse("observers:index")).content.decode()
    assert "Мои выходы" in page
    assert "На сегодня назначений нет" not in page
    assert reverse("observers:act_edit", args=[assignment.pk]) in page


def test_an_observer_cannot_open_someone_elses_assignment(logged_in, session, municipality):
    stranger = factories.AssignmentFactory(
        observer=factories.ObserverFactory(municipality=municipality), session=session
    )
    assert logged_in.get(reverse("observers:act_edit", args=[stranger.pk])).status_code == 404
    response = logged_in.post(reverse("observers:act_autosave", args=[stranger.pk]), act_data())
    assert response.status_code == 404
    assert not Act.objects.exists()


def test_staff_cannot_fill_an_observers_act(client, staff_user, assignment):
    client.force_login(staff_user)
    assert client.get(reverse("observers:act_edit", args=[assignment.pk])).status_code == 404


def test_every_change_is_saved_as_a_draft(logged_in, assignment):
    url = reverse("observers:act_autosave", args=[assignment.pk])
    response = logged_in.post(url, act_data(comments="Первая запись"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Черновик сохранён" in response.content.decode()
    assert response["X-Act-Revision"] == "1"
    act = Act.objects.get()
    assert (act.status, act.comments, act.revision) == (ActStatus.DRAFT, "Первая запись", 1)
    assert set(act.violations.values_list("code", flat=True)) == {"phones-notes", "prompting"}
    logged_in.post(url, act_data(comments="Вторая запись", violations=[]), HTTP_HX_REQUEST="true")
    act.refresh_from_db()
    assert (act.comments, act.revision, act.violations.count()) == ("Вторая запись", 2, 0)


def test_submitting_locks_the_act_for_review(logged_in, assignment):
    response = logged_in.post(reverse("observers:act_submit", args=[assignment.pk]), act_data())
    assert response.status_code == 302
    act = Act.objects.get()
    assert act.status == ActStatus.SUBMITTED and act.submitted_at is not None
    assert act.observed_from == datetime.time(8, 50)
    assert act.violations.count() == 2


def test_a_second_submit_is_refused_and_the_act_stays_as_filed(logged_in, assignment):
    submit = reverse("observers:act_submit", args=[assignment.pk])
    logged_in.post(submit, act_data())
    filed = Act.objects.get()
    response = logged_in.post(
        submit, act_data(comments="Переписанный текст", violations=[], no_violations="on")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Акт уже отправлен" in page and "повторная отправка и изменения невозможны" in page
    act = Act.objects.get()
    assert act.comments == "Двое участников пользовались телефонами."
    assert act.violations.count() == 2 and not act.no_violations
    assert (act.submitted_at, act.revision) == (filed.submitted_at, filed.revision)


def test_autosave_after_submission_is_refused_with_the_reason(logged_in, assignment):
    logged_in.post(reverse("observers:act_submit", args=[assignment.pk]), act_data())
    response = logged_in.post(
        reverse("observers:act_autosave", args=[assignment.pk]),
        act_data(comments="поздняя правка"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "Акт уже отправлен" in response.content.decode()
    assert Act.objects.get().comments == "Двое участников пользовались телефонами."


def test_the_service_refuses_a_second_submission_too(assignment):
    act_services.save_act_draft(
        assignment=assignment,
        draft=act_services.ActDraft(
            observed_from=datetime.time(9), observed_to=datetime.time(10), no_violations=True
        ),
    )
    act_services.submit_act(assignment=assignment)
    with pytest.raises(act_services.ActLocked, match="повторная отправка"):
        act_services.submit_act(assignment=assignment)


def test_an_incomplete_act_is_not_filed_but_nothing_typed_is_lost(logged_in, assignment):
    response = logged_in.post(
        reverse("observers:act_submit", args=[assignment.pk]),
        act_data(violations=[], comments="Пока только комментарий"),
    )
    assert response.status_code == 422
    assert "Отметьте «Нарушений не выявлено» или выберите выявленные нарушения" in (
        response.content.decode()
    )
    act = Act.objects.get()
    assert act.status == ActStatus.DRAFT
    assert act.comments == "Пока только комментарий"


def test_no_violations_and_a_ticked_violation_contradict_each_other(logged_in, assignment):
    response = logged_in.post(
        reverse("observers:act_submit", args=[assignment.pk]), act_data(no_violations="on")
    )
    assert response.status_code == 422
    assert "оставьте что-то одно" in response.content.decode()
    assert Act.objects.get().status == ActStatus.DRAFT


def test_the_end_of_observation_must_follow_its_start(logged_in, assignment):
    response = logged_in.post(
        reverse("observers:act_submit", args=[assignment.pk]),
        act_data(observed_from="10:00", observed_to="09:00"),
    )
    assert response.status_code == 422
    assert "позже времени начала" in response.content.decode()


def test_an_act_cannot_be_filed_before_the_day_of_observation(
    logged_in, observer, school, vpr_test, today
):
    future = factories.AssignmentFactory(
        observer=observer,
        session=factories.ScheduledSessionFactory(
            school=school, test=vpr_test, class_label="4Б", date=today + datetime.timedelta(days=3)
        ),
    )
    response = logged_in.post(reverse("observers:act_submit", args=[future.pk]), act_data())
    assert response.status_code == 422
    assert "отправить акт можно в день наблюдения или позже" in response.content.decode()
    assert Act.objects.get().comments == "Двое участников пользовались телефонами."


def test_a_cancelled_assignment_takes_no_act(logged_in, assignment):
    from observers.services.assignments import cancel_assignment

    cancel_assignment(assignment=assignment)
    response = logged_in.post(reverse("observers:act_submit", args=[assignment.pk]), act_data())
    assert response.status_code == 409
    assert "Назначение отменено" in response.content.decode()


def test_the_locked_act_page_shows_what_was_filed(logged_in, assignment):
    logged_in.post(reverse("observers:act_submit", args=[assignment.pk]), act_data())
    page = logged_in.get(reverse("observers:act_edit", args=[assignment.pk])).content.decode()
    assert 'data-testid="act-locked"' in page
    assert "Организатор или другие лица подсказывают участникам" in page
    assert 'id="act-form"' not in page

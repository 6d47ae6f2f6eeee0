"""Staff review: accept, or return with a comment; the observer fixes and files again."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from observers.models import Act, ActStatus
from observers.services import acts as act_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed_act(observer, session):
    assignment = factories.AssignmentFactory(observer=observer, session=session)
    act_services.save_act_draft(
        assignment=assignment,
        draft=act_services.ActDraft(
            observed_from=datetime.time(8, 50),
            observed_to=datetime.time(9, 50),
            stage="test",
            no_violations=True,
            comments="Всё по порядку.",
        ),
    )
    return act_services.submit_act(assignment=assignment)


def test_staff_see_the_filed_act_and_accept_it(client, staff_user, filed_act):
    client.force_login(staff_user)
    listing = client.get(reverse("observers:act_list")).content.decode()
    assert reverse("observers:act_detail", args=[filed_act.pk]) in listing
    page = client.get(reverse("observers:act_detail", args=[filed_act.pk])).content.decode()
    assert "Нарушений не выявлено" in page and "Принять" in page
    client.post(reverse("observers:act_review", args=[filed_act.pk]), {"decision": "accept"})
    filed_act.refresh_from_db()
    assert (filed_act.status, filed_act.reviewed_by) == (ActStatus.ACCEPTED, staff_user)


def test_returning_an_act_needs_a_comment(client, staff_user, filed_act):
    client.force_login(staff_user)
    response = client.post(
        reverse("observers:act_review", args=[filed_act.pk]), {"decision": "return"}, follow=True
    )
    assert "Напишите наблюдателю, что нужно исправить" in response.content.decode()
    assert Act.objects.get().status == ActStatus.SUBMITTED


def test_a_returned_act_reaches_the_observer_who_fixes_and_files_it_again(
    client, staff_user, observer_user, filed_act, django_capture_on_commit_callbacks, eager_celery
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("observers:act_review", args=[filed_act.pk]),
            {"decision": "return", "comment": "Уточните время окончания."},
        )
    assert Act.objects.get().status == ActStatus.RETURNED
    assert len(mail.outbox) == 1
    assert "возвращён на доработку" in mail.outbox[0].subject
    assert "Уточните время окончания." in mail.outbox[0].body

    client.force_login(observer_user)
    assignment = filed_act.assignment
    page = client.get(reverse("observers:act_edit", args=[assignment.pk])).content.decode()
    assert "Акт возвращён на доработку" in page and "Уточните время окончания." in page
    response = client.post(
        reverse("observers:act_submit", args=[assignment.pk]),
        {"observed_from": "08:50", "observed_to": "09:40", "stage": "test", "no_violations": "on"},
    )
    assert response.status_code == 302
    act = Act.objects.get()
    assert (act.status, act.observed_to) == (ActStatus.SUBMITTED, datetime.time(9, 40))


def test_only_a_submitted_act_can_be_reviewed(staff_user, filed_act):
    act_services.review_act(act=filed_act, reviewer=staff_user, decision="accept")
    from observers.services import ObserversError

    with pytest.raises(ObserversError, match="только отправленный акт"):
        act_services.review_act(act=filed_act, reviewer=staff_user, decision="return", comment="x")


def test_staff_of_another_municipality_cannot_see_the_act(client, other_municipality, filed_act):
    client.force_login(factories.make_staff(municipality=other_municipality))
    assert client.get(reverse("observers:act_detail", args=[filed_act.pk])).status_code == 404
    response = client.post(
        reverse("observers:act_review", args=[filed_act.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    assert Act.objects.get().status == ActStatus.SUBMITTED


def test_an_observer_cannot_review_their_own_act(client, observer_user, filed_act):
    client.force_login(observer_user)
    assert client.get(reverse("observers:act_detail", args=[filed_act.pk])).status_code == 200
    response = client.post(
        reverse("observers:act_review", args=[filed_act.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    assert Act.objects.get().status == ActStatus.SUBMITTED

"""The API is scoped like the pages: registry for staff only, an observer sees their own."""

import datetime

import pytest

from observers.models import Assignment, AssignmentRefusal, TieKind
from observers.services import acts as act_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_assignments(observer, session, municipality, vpr_test, second_school):
    mine = factories.AssignmentFactory(observer=observer, session=session)
    other_observer = factories.ObserverFactory(municipality=municipality, last_name="Чужая")
    theirs = factories.AssignmentFactory(
        observer=other_observer,
        session=factories.ScheduledSessionFactory(school=second_school, test=vpr_test),
    )
    for assignment in (mine, theirs):
        act_services.save_act_draft(
            assignment=assignment,
            draft=act_services.ActDraft(
                observed_from=datetime.time(9), observed_to=datetime.time(10), no_violations=True
            ),
        )
    return mine, theirs


def test_the_registry_is_for_staff_only(client, staff_user, observer_user, observer):
    client.force_login(staff_user)
    rows = client.get("/api/observers/").json()["results"]
    assert [r["full_name"] for r in rows] == ["Белова Татьяна Ивановна"]
    client.force_login(observer_user)
    assert client.get("/api/observers/").status_code == 403
    assert client.get(f"/api/observers/{observer.pk}/").status_code == 403


def test_staff_of_another_municipality_see_no_observers(client, other_municipality, observer):
    client.force_login(factories.make_staff(municipality=other_municipality))
    assert client.get("/api/observers/").json()["results"] == []
    assert client.get(f"/api/observers/{observer.pk}/").status_code == 404


def test_an_observer_sees_only_their_own_assignments_and_acts(
    client, observer_user, two_assignments
):
    mine, theirs = two_assignments
    client.force_login(observer_user)
    assignments = client.get("/api/observer-assignments/").json()["results"]
    assert [a["id"] for a in assignments] == [mine.pk]
    assert assignments[0]["act"]["status"] == "draft"
    assert client.get(f"/api/observer-assignments/{theirs.pk}/").status_code == 404
    acts = client.get("/api/observer-acts/").json()["results"]
    assert [a["assignment"] for a in acts] == [mine.pk]
    assert client.get(f"/api/observer-acts/{theirs.act.pk}/").status_code == 404


def test_staff_see_every_assignment_of_their_territory(client, staff_user, two_assignments):
    client.force_login(staff_user)
    assert len(client.get("/api/observer-assignments/").json()["results"]) == 2
    assert len(client.get("/api/observer-acts/").json()["results"]) == 2


def test_staff_assign_through_the_api_with_the_same_rules(
    client, staff_user, observer, session, observer_user
):
    client.force_login(staff_user)
    factories.ObserverTieFactory(observer=observer, school=session.school, kind=TieKind.WORKS)
    refused = client.post(
        "/api/observer-assignments/",
        {"observer": observer.pk, "session": session.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["rules"] == ["workplace"]
    assert "работает в этой ОО" in refused.json()["detail"]
    assert AssignmentRefusal.objects.count() == 1
    observer.ties.all().delete()
    created = client.post(
        "/api/observer-assignments/",
        {"observer": observer.pk, "session": session.pk},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["stage"] == "test"
    client.force_login(observer_user)
    response = client.post(
        "/api/observer-assignments/",
        {"observer": observer.pk, "session": session.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Assignment.objects.count() == 1


def test_the_api_refuses_ids_outside_the_territory(
    client, staff_user, observer, other_school, vpr_test
):
    foreign = factories.ScheduledSessionFactory(school=other_school, test=vpr_test)
    client.force_login(staff_user)
    response = client.post(
        "/api/observer-assignments/",
        {"observer": observer.pk, "session": foreign.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "session" in response.json()
    assert not Assignment.objects.exists()


def test_the_schedule_api_is_scoped_to_the_coordinators_school(
    client, coordinator, session, other_school, vpr_test
):
    factories.ScheduledSessionFactory(school=other_school, test=vpr_test)
    client.force_login(coordinator)
    rows = client.get("/api/vpr-schedule/").json()["results"]
    assert [r["school"] for r in rows] == [session.school.login]

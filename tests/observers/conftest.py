"""Scenes for the observers tests: a municipality with two schools, a test, observers."""

import datetime

import pytest
from django.utils import timezone

from tests import factories


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def vpr_test(db, today):
    return factories.TestFactory(year=today.year, subject="Русский язык", grade=4)


@pytest.fixture
def second_school(municipality):
    return factories.SchoolFactory(
        municipality=municipality, login="edu100002", short_name="СОШ № 5"
    )


@pytest.fixture
def session(school, vpr_test, today):
    """4А of СОШ № 1 writes today, 09:00–09:45."""
    return factories.ScheduledSessionFactory(
        school=school,
        test=vpr_test,
        class_label="4А",
        date=today,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(9, 45),
    )


@pytest.fixture
def parallel_session(second_school, vpr_test, today):
    """4А of СОШ № 5 at 09:30–10:15 the same day: overlaps `session`."""
    return factories.ScheduledSessionFactory(
        school=second_school,
        test=vpr_test,
        class_label="4А",
        date=today,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(10, 15),
    )


@pytest.fixture
def observer(municipality):
    return factories.ObserverFactory(
        municipality=municipality, last_name="Белова", first_name="Татьяна", middle_name="Ивановна"
    )


@pytest.fixture
def observer_user(observer):
    return factories.make_observer_user(observer=observer, username="observer-a")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT

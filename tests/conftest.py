"""Shared fixtures. Unit tests never reach a broker: on_commit callbacks don't fire
inside the test transaction unless a test captures them on purpose."""

import os
import shutil

import pytest

from tests import factories


@pytest.fixture
def region(db):
    return factories.RegionFactory(name="Тестовая область")


@pytest.fixture
def municipality(region):
    return factories.MunicipalityFactory(region=region, name="Город А")


@pytest.fixture
def other_municipality(region):
    return factories.MunicipalityFactory(region=region, name="Район Б")


@pytest.fixture
def school(municipality):
    return factories.SchoolFactory(
        municipality=municipality, login="edu100001", short_name="СОШ № 1"
    )


@pytest.fixture
def other_school(other_municipality):
    return factories.SchoolFactory(
        municipality=other_municipality, login="edu200002", short_name="СОШ № 2"
    )


@pytest.fixture
def staff_user(municipality):
    return factories.make_staff(municipality=municipality, username="staff-a")


@pytest.fixture
def coordinator(school):
    return factories.make_coordinator(school=school, username="coordinator-a")


@pytest.fixture
def administrator(db):
    return factories.make_administrator()


@pytest.fixture
def eager_celery(settings):
    """Run Celery tasks in-process. Only for unit tests that say so by using this fixture."""
    from vpr_portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


def require_binary(name: str, package: str) -> str:
    """Fail (never skip) when a binary a test needs is missing, naming what to install."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"`{name}` is not installed: install Debian's `{package}` package (.ci/run does)."
        )
    return path


def require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the integration tests through `make test`.")
    return value

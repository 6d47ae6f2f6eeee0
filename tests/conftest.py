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


# --- Browser tests -----------------------------------------------------------------
# Playwright driving Debian's chromium package, headless. Playwright's own browser
# download cannot work here (closed network), so the browser is the system binary; if
# it is missing the tests fail naming the package. One browser serves the session:
# Playwright's sync API allows a single instance per thread.

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    executable = require_binary("chromium", "chromium")
    # Playwright's sync API runs an event loop; Django refuses ORM calls from it
    # unless told that this test process is fine with that.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

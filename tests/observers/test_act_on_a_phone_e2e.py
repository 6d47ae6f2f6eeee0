"""End to end on a 375 px phone in real Chromium: the observer files the act, staff see it.

Playwright drives Debian's chromium package (its own browser download cannot work on a
closed network); a missing browser fails the test naming the package, never skips it.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from observers.models import Act, ActStatus
from tests import factories
from tests.conftest import log_in

pytestmark = pytest.mark.e2e
PASSWORD = "secret-pass-123"


@pytest.fixture
def chromium(browser):
    return browser


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())  # «Отправить акт?»
    yield page
    context.close()


@pytest.fixture
def desk(chromium):
    context = chromium.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def scene(transactional_db):
    # A transactional test starts from a flushed database: put the act's checklist back.
    checklist = importlib.import_module("observers.migrations.0002_violation_checklist")
    checklist.add_checklist(django_apps, None)
    today = timezone.localdate()
    municipality = factories.MunicipalityFactory(name="Городской округ Светлогорск")
    school = factories.SchoolFactory(municipality=municipality, short_name="СОШ № 4")
    session = factories.ScheduledSessionFactory(
        school=school,
        test=factories.TestFactory(year=today.year, subject="Русский язык", grade=4),
        class_label="4В",
        date=today,
        start_time=datetime.time(10, 0),
        end_time=datetime.time(10, 45),
    )
    observer = factories.ObserverFactory(
        municipality=municipality, last_name="Белова", first_name="Татьяна", middle_name="Ивановна"
    )
    factories.make_observer_user(observer=observer, username="observer-phone")
    assignment = factories.AssignmentFactory(observer=observer, session=session)
    factories.make_staff(municipality=municipality, username="staff-desk")
    return assignment


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_observer_files_the_act_from_a_phone_and_staff_see_it(live_server, phone, desk, scene):
    log_in(phone, live_server.url, "observer-phone", PASSWORD)
    phone.get_by_role("link", name="Открыть мои выходы").click()
    card = phone.locator("[data-testid=assignment-card]").first
    assert "СОШ № 4" in card.inner_text() and "4В" in card.inner_text()
    assert fits_the_screen(phone)
    card.get_by_role("link", name="Заполнить акт").click()
    phone.wait_for_selector("#act-form")
    assert fits_the_screen(phone)

    def saved(action) -> None:
        """Do something on the form and wait until its draft reached the server."""
        with phone.expect_response(lambda r: "/act/autosave/" in r.url) as response:
            action()
        assert response.value.status == 200

    saved(
        lambda: phone.get_by_label(
            "Участники используют телефоны, справочные материалы, шпаргалки"
        ).check()
    )
    saved(lambda: phone.get_by_label("В аудитории находятся посторонние лица").check())
    phone.fill("#id_comments", "Телефон у двоих участников; в аудитории был родитель.")
    saved(lambda: phone.locator("#id_comments").blur())
    assert "Черновик сохранён" in phone.locator("[data-testid=autosave-status]").inner_text()
    draft = Act.objects.get()
    assert draft.status == ActStatus.DRAFT
    assert draft.violations.count() == 2

    phone.get_by_role("button", name="Подписать и отправить").click()
    phone.wait_for_url(f"{live_server.url}/observers/")
    assert "Акт отправлен" in phone.inner_text("body")
    act = Act.objects.get()
    assert act.status == ActStatus.SUBMITTED
    assert set(act.violations.values_list("code", flat=True)) == {"phones-notes", "outsiders"}

    log_in(desk, live_server.url, "staff-desk", PASSWORD)
    desk.goto(f"{live_server.url}/observers/acts/")
    desk.get_by_role("link", name=str(act.pk), exact=True).click()
    violations = desk.locator("[data-testid=act-violations]").inner_text()
    assert "Участники используют телефоны" in violations
    assert "В аудитории находятся посторонние лица" in violations
    assert "в аудитории был родитель" in desk.inner_text("body")
    assert desk.get_by_role("button", name="Принять").is_visible()


def test_a_lost_connection_loses_nothing(live_server, phone, scene):
    log_in(phone, live_server.url, "observer-phone", PASSWORD)
    phone.goto(f"{live_server.url}/observers/assignments/{scene.pk}/act/")
    phone.wait_for_selector("#act-form")
    phone.context.set_offline(True)
    phone.get_by_label("Превышено время выполнения работы").check()
    phone.wait_for_selector("[data-autosave=offline]")
    assert not Act.objects.exists()  # nothing reached the server yet...
    with phone.expect_response(lambda r: "/act/autosave/" in r.url) as response:
        phone.context.set_offline(False)  # ...until the network comes back
    assert response.value.status == 200
    phone.wait_for_selector("[data-autosave=saved]")
    assert list(Act.objects.get().violations.values_list("code", flat=True)) == ["time-exceeded"]

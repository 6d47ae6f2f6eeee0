"""The access matrix: every route of the portal × nine people × another school's objects.

Each URL pattern of the project (pages and API; Django admin has its own check below)
needs an entry in MATRIX, keyed by the pattern as the URLconf spells it. A new route
without an entry fails ``test_every_route_has_a_matrix_entry`` with the route's name:
add the entry (who may reach the object, how to build its URL, what a write posts).

For every entry and every person of the scene (tests/security/access_world.py):
- nobody gets a 5xx;
- a person outside ``allowed`` never gets school B's data: on an object route the answer
  is a refusal (302 to a login page, 401, 403, 404, 405), on a list route a 200 may come
  but without the marker of school B's objects;
- a person outside ``allowed`` who POSTs (the entry's data, or an empty form) changes no
  row of the portal's tables (the registry import included);
- the ``witness`` (a person who may see the object) does find the marker: the check
  above is able to see a leak on that route.

Management commands are not routes: they run on the server's shell, which only
administrators have. COMMANDS lists every command of the project's apps; each command
that writes is run with bad input and must refuse it (CommandError) writing nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, get_commands
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from results.models import PupilResult
from tests.security.access_world import (
    ROLES,
    build_world,
    changed,
    fingerprint,
    leaks,
)

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(ROLES)
USERS = EVERYONE - {"anonymous"}
TERRITORY = frozenset({"staff", "region_staff", "admin"})  # department staff of school B
SCHOOL_SIDE = TERRITORY | {"coordinator_b"}  # and school B's own coordinator
NOBODY = frozenset()

REFUSALS = {401, 403, 404, 405}


@dataclass(frozen=True)
class Entry:
    """One route. ``url`` builds the address from the world (None: the route is not
    requested, ``why`` says why). ``kind``: "object" when the address names one of
    school B's objects (refused outright), "list" when it lists a scope (filtered)."""

    url: Callable[[Any], str] | None
    allowed: frozenset[str]
    kind: str = "object"
    post: Callable[[Any], dict] | None = None
    witness: str | None = None
    known_5xx: str = ""
    why: str = ""


def upload_file(name: str, content: bytes = b"not really a file") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def registry_takeover(w) -> dict:
    """A registry row with school B's login moved into the other municipality."""
    content = (
        "Логин;Наименование;Краткое наименование;Муниципалитет;Тип;Местность\n"
        f"{w.school_b.login};Захват;Захват;{w.other.name};школа;город\n"
    ).encode()
    return {"file": upload_file("reestr.csv", content)}


def today() -> str:
    return datetime.date.today().isoformat()


def session_data(w) -> dict:
    return {
        "school": w.school_b.pk,
        "test": w.test.pk,
        "class_label": "4Ж",
        "date": today(),
        "start_time": "11:00",
        "end_time": "11:45",
    }


def report_query(w) -> str:
    return f"test={w.test.pk}&school={w.school_b.pk}"


def api(path: str) -> Callable[[Any], str]:
    return lambda w: "/api/" + path.format(w=w)


def api_entries(
    prefix: str,
    *,
    pk: Callable[[Any], Any],
    allowed: frozenset[str],
    query: Callable[[Any], str] = lambda w: "",
    witness: str | None = None,
    known_5xx: dict[str, str] | None = None,
) -> dict[str, Entry]:
    """The four patterns a DRF router makes for one read-only viewset."""
    known_5xx = known_5xx or {}
    q = (lambda w: "?" + query(w)) if query else (lambda w: "")
    return {
        f"api/^{prefix}/$": Entry(
            lambda w: f"/api/{prefix}/{q(w)}", allowed, "list", witness=witness
        ),
        f"api/^{prefix}\\.(?P<format>[a-z0-9]+)/?$": Entry(
            lambda w: f"/api/{prefix}.json{q(w)}",
            allowed,
            "list",
            known_5xx=known_5xx.get("list.json", ""),
        ),
        f"api/^{prefix}/(?P<pk>[^/.]+)/$": Entry(
            lambda w: f"/api/{prefix}/{pk(w)}/{q(w)}", allowed, witness=witness
        ),
        f"api/^{prefix}/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": Entry(
            lambda w: f"/api/{prefix}/{pk(w)}.json{q(w)}",
            allowed,
            known_5xx=known_5xx.get("detail.json", ""),
        ),
    }


MATRIX: dict[str, Entry] = {
    # --- portal ---------------------------------------------------------------------
    "": Entry(lambda w: "/", SCHOOL_SIDE, "list", witness="coordinator_b"),
    "health/": Entry(None, EVERYONE, "list", why="public; 503 without a worker; no data"),
    "accounts/login/": Entry(lambda w: "/accounts/login/", EVERYONE, "list"),
    "accounts/logout/": Entry(lambda w: "/accounts/logout/", EVERYONE, "list"),
    "accounts/password/": Entry(
        lambda w: "/accounts/password/",
        USERS,
        "list",
        post=lambda w: {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    ),
    "accounts/password/done/": Entry(lambda w: "/accounts/password/done/", USERS, "list"),
    "jobs/": Entry(lambda w: "/jobs/", frozenset({"staff", "admin"}), "list", witness="staff"),
    "jobs/<int:job_id>/": Entry(
        lambda w: f"/jobs/{w.job.pk}/", frozenset({"staff", "admin"}), witness="staff"
    ),
    "jobs/<int:job_id>/download/": Entry(
        lambda w: f"/jobs/{w.job.pk}/download/", frozenset({"staff", "admin"})
    ),
    # --- schools --------------------------------------------------------------------
    "schools/": Entry(lambda w: "/schools/", TERRITORY, "list", witness="staff"),
    "schools/import/": Entry(
        lambda w: "/schools/import/", TERRITORY, "list", post=registry_takeover
    ),
    "schools/<int:school_id>/": Entry(
        lambda w: f"/schools/{w.school_b.pk}/", TERRITORY, witness="staff"
    ),
    # --- results --------------------------------------------------------------------
    "results/catalog/": Entry(lambda w: "/results/catalog/", USERS, "list"),
    "results/catalog/<int:test_id>/": Entry(
        lambda w: f"/results/catalog/{w.test.pk}/", USERS, "list"
    ),
    "results/uploads/": Entry(
        lambda w: "/results/uploads/",
        SCHOOL_SIDE,
        "list",
        post=lambda w: {
            "school": w.school_b.pk,
            "test": w.test.pk,
            "file": upload_file("results.csv", b"a;b\n1;2\n"),
        },
        witness="coordinator_b",
    ),
    "results/uploads/<int:upload_id>/": Entry(
        lambda w: f"/results/uploads/{w.upload.pk}/", SCHOOL_SIDE, witness="staff"
    ),
    "results/uploads/<int:upload_id>/file/": Entry(
        lambda w: f"/results/uploads/{w.upload.pk}/file/", SCHOOL_SIDE
    ),
    "results/uploads/<int:upload_id>/errors/": Entry(
        lambda w: f"/results/uploads/{w.upload.pk}/errors/", SCHOOL_SIDE
    ),
    "results/schools/<int:school_id>/tests/<int:test_id>/versions/": Entry(
        lambda w: f"/results/schools/{w.school_b.pk}/tests/{w.test.pk}/versions/",
        SCHOOL_SIDE,
        witness="staff",
    ),
    "results/reports/": Entry(lambda w: "/results/reports/", SCHOOL_SIDE, "list"),
    "results/reports/<slug:kind>/": Entry(
        lambda w: f"/results/reports/marks/?{report_query(w)}", SCHOOL_SIDE, "list"
    ),
    "results/reports/<slug:kind>/xlsx/": Entry(
        lambda w: f"/results/reports/marks/xlsx/?{report_query(w)}", SCHOOL_SIDE, "list"
    ),
    "results/indicators/": Entry(lambda w: "/results/indicators/", TERRITORY, "list"),
    "results/indicators/recompute/": Entry(
        lambda w: "/results/indicators/recompute/",
        # Recomputing is not a foreign write: other municipalities' staff may start it.
        TERRITORY | {"staff_other"},
        "list",
        post=lambda w: {"year": w.test.year},
    ),
    "results/indicators/schools/<int:school_id>/": Entry(
        lambda w: f"/results/indicators/schools/{w.school_b.pk}/", SCHOOL_SIDE, witness="staff"
    ),
    "results/indicators/official-list/": Entry(
        lambda w: "/results/indicators/official-list/",
        TERRITORY | {"staff_other"},
        "list",
        post=lambda w: {"year": w.test.year, "file": upload_file("list.xlsx")},
    ),
    "results/indicators/official-list.xlsx": Entry(
        lambda w: "/results/indicators/official-list.xlsx", TERRITORY, "list"
    ),
    # --- plans ----------------------------------------------------------------------
    "plans/": Entry(lambda w: "/plans/", SCHOOL_SIDE, "list", witness="staff"),
    "plans/import/": Entry(
        lambda w: "/plans/import/",
        TERRITORY,
        "list",
        post=lambda w: {"municipality": w.home.pk, "text": "1. Пункт взлома\n", "format": "text"},
    ),
    "plans/import/<int:draft_id>/": Entry(
        lambda w: f"/plans/import/{w.draft.pk}/", frozenset({"staff"}), witness="staff"
    ),
    "plans/import/<int:draft_id>/field/": Entry(
        lambda w: f"/plans/import/{w.draft.pk}/field/?path=&field=title",
        frozenset({"staff"}),
        post=lambda w: {"path": "", "field": "title", "value": "Взлом"},
    ),
    "plans/import/<int:draft_id>/save/": Entry(
        lambda w: f"/plans/import/{w.draft.pk}/save/", frozenset({"staff"}), post=lambda w: {}
    ),
    "plans/import/<int:draft_id>/discard/": Entry(
        lambda w: f"/plans/import/{w.draft.pk}/discard/", frozenset({"staff"}), post=lambda w: {}
    ),
    "plans/<int:plan_id>/": Entry(lambda w: f"/plans/{w.plan.pk}/", TERRITORY, witness="staff"),
    "plans/<int:plan_id>/edit/": Entry(
        lambda w: f"/plans/{w.plan.pk}/edit/",
        TERRITORY,
        post=lambda w: {
            "title": "Взлом",
            "period_start": "2023-09-01",
            "period_end": "2024-08-31",
        },
        witness="staff",
    ),
    "plans/<int:plan_id>/status/": Entry(
        lambda w: f"/plans/{w.plan.pk}/status/", TERRITORY, post=lambda w: {"status": "draft"}
    ),
    "plans/<int:plan_id>/copy/": Entry(
        lambda w: f"/plans/{w.plan.pk}/copy/",
        TERRITORY,
        post=lambda w: {"title": "Копия", "shift_years": "1"},
    ),
    "plans/<int:plan_id>/delete/": Entry(
        lambda w: f"/plans/{w.plan.pk}/delete/", TERRITORY, post=lambda w: {"confirm": "1"}
    ),
    "plans/<int:plan_id>/timeline/": Entry(
        lambda w: f"/plans/{w.plan.pk}/timeline/", TERRITORY, witness="staff"
    ),
    "plans/<int:plan_id>/pdf/": Entry(
        lambda w: f"/plans/{w.plan.pk}/pdf/", TERRITORY, post=lambda w: {"document": "plan"}
    ),
    "plans/<int:plan_id>/xlsx/": Entry(
        lambda w: f"/plans/{w.plan.pk}/xlsx/", TERRITORY, witness="staff"
    ),
    "plans/<int:plan_id>/sections/add/": Entry(
        lambda w: f"/plans/{w.plan.pk}/sections/add/",
        TERRITORY,
        post=lambda w: {"number": "9.", "title": "Взлом"},
    ),
    "plans/sections/<int:section_id>/edit/": Entry(
        lambda w: f"/plans/sections/{w.section.pk}/edit/",
        TERRITORY,
        post=lambda w: {"number": "9.", "title": "Взлом"},
    ),
    "plans/sections/<int:section_id>/delete/": Entry(
        lambda w: f"/plans/sections/{w.section.pk}/delete/", TERRITORY, post=lambda w: {}
    ),
    "plans/sections/<int:section_id>/items/add/": Entry(
        lambda w: f"/plans/sections/{w.section.pk}/items/add/",
        TERRITORY,
        post=lambda w: {"text": "Взлом", "deadline_text": "Март 2024"},
    ),
    "plans/items/<int:item_id>/": Entry(
        lambda w: f"/plans/items/{w.item.pk}/", TERRITORY, witness="staff"
    ),
    "plans/items/<int:item_id>/edit/": Entry(
        lambda w: f"/plans/items/{w.item.pk}/edit/",
        TERRITORY,
        post=lambda w: {"text": "Взлом", "deadline_text": "Март 2024"},
        witness="staff",
    ),
    "plans/items/<int:item_id>/status/": Entry(
        lambda w: f"/plans/items/{w.item.pk}/status/",
        TERRITORY,
        post=lambda w: {"status": "done", "completed_on": today(), "report_text": "Взлом"},
    ),
    "plans/items/<int:item_id>/move/": Entry(
        lambda w: f"/plans/items/{w.item.pk}/move/", TERRITORY, post=lambda w: {"direction": "down"}
    ),
    "plans/items/<int:item_id>/delete/": Entry(
        lambda w: f"/plans/items/{w.item.pk}/delete/", TERRITORY, post=lambda w: {}
    ),
    "plans/items/<int:item_id>/execution/": Entry(
        lambda w: f"/plans/items/{w.item.pk}/execution/", TERRITORY, witness="staff"
    ),
    "plans/items/<int:item_id>/evidence/": Entry(
        lambda w: f"/plans/items/{w.item.pk}/evidence/",
        TERRITORY,
        post=lambda w: {"title": "Взлом", "url": "https://example.org/x"},
    ),
    "plans/evidence/<int:evidence_id>/": Entry(
        lambda w: f"/plans/evidence/{w.evidence.pk}/", SCHOOL_SIDE
    ),
    "plans/evidence/<int:evidence_id>/delete/": Entry(
        lambda w: f"/plans/evidence/{w.evidence.pk}/delete/", TERRITORY, post=lambda w: {}
    ),
    "plans/mine/": Entry(
        lambda w: "/plans/mine/", frozenset({"coordinator_b"}), "list", witness="coordinator_b"
    ),
    "plans/mine/<int:item_id>/": Entry(
        lambda w: f"/plans/mine/{w.item.pk}/",
        frozenset({"coordinator_b"}),
        post=lambda w: {"status": "done", "completed_on": today(), "report_text": "Взлом"},
        witness="coordinator_b",
    ),
    # --- observers ------------------------------------------------------------------
    "observers/": Entry(lambda w: "/observers/", SCHOOL_SIDE, "list"),
    "observers/registry/": Entry(
        lambda w: "/observers/registry/", TERRITORY, "list", witness="staff"
    ),
    "observers/registry/new/": Entry(
        lambda w: "/observers/registry/new/",
        TERRITORY,
        "list",
        post=lambda w: {"municipality": w.home.pk, "last_name": "Взлом", "first_name": "Взлом"},
    ),
    "observers/registry/import/": Entry(
        lambda w: "/observers/registry/import/",
        TERRITORY,
        "list",
        post=lambda w: {"file": upload_file("observers.csv", b"x;y\n1;2\n")},
    ),
    "observers/registry/<int:observer_id>/": Entry(
        lambda w: f"/observers/registry/{w.observer_target.pk}/", TERRITORY, witness="staff"
    ),
    "observers/registry/<int:observer_id>/edit/": Entry(
        lambda w: f"/observers/registry/{w.observer_target.pk}/edit/",
        TERRITORY,
        post=lambda w: {"municipality": w.home.pk, "last_name": "Взлом", "first_name": "Взлом"},
        witness="staff",
    ),
    "observers/registry/<int:observer_id>/status/": Entry(
        lambda w: f"/observers/registry/{w.observer_target.pk}/status/",
        TERRITORY,
        post=lambda w: {"action": "suspend", "reason": "Взлом"},
    ),
    "observers/registry/<int:observer_id>/ties/": Entry(
        lambda w: f"/observers/registry/{w.observer_target.pk}/ties/",
        TERRITORY,
        post=lambda w: {"school": w.school_a.pk, "kind": "works"},
    ),
    "observers/registry/<int:observer_id>/ties/<int:tie_id>/delete/": Entry(
        lambda w: f"/observers/registry/{w.observer_target.pk}/ties/{w.tie.pk}/delete/",
        TERRITORY,
        post=lambda w: {},
    ),
    "observers/schedule/": Entry(
        lambda w: "/observers/schedule/", SCHOOL_SIDE, "list", witness="staff"
    ),
    "observers/schedule/new/": Entry(
        lambda w: "/observers/schedule/new/", SCHOOL_SIDE, "list", post=session_data
    ),
    "observers/schedule/import/": Entry(
        lambda w: "/observers/schedule/import/",
        TERRITORY,
        "list",
        post=lambda w: {"file": upload_file("schedule.csv", b"x;y\n1;2\n")},
    ),
    "observers/schedule/<int:session_id>/": Entry(
        lambda w: f"/observers/schedule/{w.session.pk}/", SCHOOL_SIDE, witness="staff"
    ),
    "observers/schedule/<int:session_id>/edit/": Entry(
        lambda w: f"/observers/schedule/{w.session.pk}/edit/", SCHOOL_SIDE, post=session_data
    ),
    "observers/schedule/<int:session_id>/delete/": Entry(
        lambda w: f"/observers/schedule/{w.session.pk}/delete/", SCHOOL_SIDE, post=lambda w: {}
    ),
    "observers/schedule/<int:session_id>/assign/": Entry(
        lambda w: f"/observers/schedule/{w.session.pk}/assign/",
        TERRITORY,
        post=lambda w: {"observer": w.observer_target.pk, "stage": "check"},
    ),
    "observers/planning/": Entry(lambda w: "/observers/planning/", TERRITORY, "list"),
    "observers/planning/confirm/": Entry(
        lambda w: "/observers/planning/confirm/",
        TERRITORY,
        "list",
        post=lambda w: {"pick": f"{w.session.pk}:{w.observer_target.pk}"},
    ),
    "observers/assignments/<int:assignment_id>/cancel/": Entry(
        lambda w: f"/observers/assignments/{w.assignment.pk}/cancel/",
        TERRITORY,
        post=lambda w: {"reason": "Взлом"},
    ),
    "observers/refusals/": Entry(lambda w: "/observers/refusals/", TERRITORY, "list"),
    # Only the assigned observer fills the act: nobody of the scene is that observer.
    "observers/assignments/<int:assignment_id>/act/": Entry(
        lambda w: f"/observers/assignments/{w.assignment.pk}/act/", NOBODY
    ),
    "observers/assignments/<int:assignment_id>/act/autosave/": Entry(
        lambda w: f"/observers/assignments/{w.assignment.pk}/act/autosave/",
        NOBODY,
        post=lambda w: {"stage": "test", "comments": "Взлом", "revision": "0"},
    ),
    "observers/assignments/<int:assignment_id>/act/submit/": Entry(
        lambda w: f"/observers/assignments/{w.assignment.pk}/act/submit/",
        NOBODY,
        post=lambda w: {"stage": "test", "no_violations": "on", "comments": "Взлом"},
    ),
    "observers/assignments/<int:assignment_id>/act/photos/": Entry(
        lambda w: f"/observers/assignments/{w.assignment.pk}/act/photos/",
        NOBODY,
        post=lambda w: {"photo": upload_file("x.jpg", b"\xff\xd8\xff")},
    ),
    "observers/assignments/<int:assignment_id>/act/photos/<int:photo_id>/delete/": Entry(
        lambda w: f"/observers/assignments/{w.assignment.pk}/act/photos/{w.photo.pk}/delete/",
        NOBODY,
        post=lambda w: {},
    ),
    "observers/photos/<int:photo_id>/": Entry(
        lambda w: f"/observers/photos/{w.photo.pk}/", TERRITORY
    ),
    "observers/acts/": Entry(lambda w: "/observers/acts/", TERRITORY, "list", witness="staff"),
    "observers/acts/<int:act_id>/": Entry(
        lambda w: f"/observers/acts/{w.act.pk}/", TERRITORY, witness="staff"
    ),
    "observers/acts/<int:act_id>/review/": Entry(
        lambda w: f"/observers/acts/{w.act.pk}/review/",
        TERRITORY,
        post=lambda w: {"decision": "accepted", "comment": "Взлом"},
    ),
    "observers/acts/<int:act_id>/pdf/": Entry(
        lambda w: f"/observers/acts/{w.act.pk}/pdf/", TERRITORY, post=lambda w: {}
    ),
    "observers/coverage/": Entry(lambda w: "/observers/coverage/", TERRITORY, "list"),
    # --- API (read-only viewsets; a POST must write nothing) -------------------------
    **api_entries("schools", pk=lambda w: w.school_b.pk, allowed=SCHOOL_SIDE, witness="staff"),
    **api_entries("tests", pk=lambda w: w.test.pk, allowed=USERS),
    **api_entries("uploads", pk=lambda w: w.upload.pk, allowed=SCHOOL_SIDE, witness="staff"),
    **api_entries(
        "results",
        pk=lambda w: PupilResult.objects.filter(school=w.school_b).first().pk,
        allowed=SCHOOL_SIDE,
        query=lambda w: f"school={w.school_b.pk}",
        witness="staff",
    ),
    **api_entries(
        "reports",
        pk=lambda w: "marks",
        allowed=SCHOOL_SIDE,
        query=report_query,
    ),
    **api_entries("indicators", pk=lambda w: 0, allowed=SCHOOL_SIDE),
    **api_entries("plans", pk=lambda w: w.plan.pk, allowed=TERRITORY, witness="staff"),
    **api_entries("plan-sections", pk=lambda w: w.section.pk, allowed=TERRITORY, witness="staff"),
    # School B answers for the item: its coordinator reads it (and only that coordinator).
    **api_entries("plan-items", pk=lambda w: w.item.pk, allowed=SCHOOL_SIDE, witness="staff"),
    **api_entries(
        "observers", pk=lambda w: w.observer_target.pk, allowed=TERRITORY, witness="staff"
    ),
    **api_entries("vpr-schedule", pk=lambda w: w.session.pk, allowed=SCHOOL_SIDE),
    **api_entries("observer-assignments", pk=lambda w: w.assignment.pk, allowed=TERRITORY),
    **api_entries("observer-acts", pk=lambda w: w.act.pk, allowed=TERRITORY, witness="staff"),
    "api/": Entry(lambda w: "/api/", USERS, "list"),
    "api/<drf_format_suffix:format>": Entry(lambda w: "/api/.json", USERS, "list"),
    "api/schema/": Entry(lambda w: "/api/schema/", EVERYONE, "list", why="no data; login"),
    "api/docs/": Entry(lambda w: "/api/docs/", EVERYONE, "list", why="Swagger UI; login"),
    # A script trades its own username and password for its own token; wrong ones are
    # counted by axes and write nothing of the portal's.
    "api/auth/token/": Entry(
        lambda w: "/api/auth/token/",
        EVERYONE,
        "list",
        post=lambda w: {"username": "coordinator-b", "password": "wrong-password"},
        why="issues a token only for the caller's own account",
    ),
}


def project_routes() -> dict[str, str]:
    """{pattern: view name} of every URL pattern, admin/ left to its own test."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) == "admin/":
                    continue
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found[prefix + str(pattern.pattern)] = name

    walk(get_resolver(), "", "")
    return found


def routes_without_entry() -> list[str]:
    return [f"{route} ({name})" for route, name in project_routes().items() if route not in MATRIX]


def test_every_route_has_a_matrix_entry():
    missing = routes_without_entry()
    stale = [route for route in MATRIX if route not in project_routes()]
    assert not missing, "Routes without an access-matrix entry: " + "; ".join(missing)
    assert not stale, "Matrix entries for routes that no longer exist: " + "; ".join(stale)


def test_a_new_route_without_an_entry_is_named_by_the_check(settings):
    settings.ROOT_URLCONF = "tests.security.urls_with_an_unlisted_route"
    assert routes_without_entry() == ["secret/<int:school_id>/ (unlisted)"]


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Nine users per route: a fast hasher keeps the matrix quick (nobody logs in by password).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world()


def client_for(world, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def refusal(response) -> bool:
    if response.status_code in REFUSALS:
        return True
    if response.status_code in (301, 302, 303):
        return "/login/" in response.get("Location", "")
    return False


def _params():
    for route, entry in MATRIX.items():
        marks = []
        if entry.known_5xx:
            marks.append(pytest.mark.xfail(reason=entry.known_5xx, strict=True))
        yield pytest.param(route, id=route, marks=marks)


@pytest.mark.parametrize("route", list(_params()))
def test_no_role_reaches_another_schools_data_through_the_route(world, route):
    entry = MATRIX[route]
    if entry.url is None:
        assert entry.why, f"{route}: an entry without a URL must say why"
        return
    url = entry.url(world)
    problems: list[str] = []
    for role in ROLES:
        client = client_for(world, role)
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            problems.append(f"{role}: GET answered {status}")
            continue
        if role in entry.allowed:
            continue
        if entry.kind == "object" and not refusal(response):
            problems.append(f"{role}: GET of another school's object answered {status}")
        elif leaks(response):
            problems.append(f"{role}: GET answered {status} with another school's data")
        before = fingerprint()
        response = client.post(url, entry.post(world) if entry.post else {})
        if response.status_code >= 500:
            problems.append(f"{role}: POST answered {response.status_code}")
        elif response.status_code == 200 and leaks(response):
            problems.append(f"{role}: POST answered 200 with another school's data")
        touched = changed(before, fingerprint())
        if touched:
            problems.append(f"{role}: POST changed {', '.join(touched)}")
    if entry.witness:
        response = client_for(world, entry.witness).get(url)
        if response.status_code != 200 or not leaks(response):
            problems.append(
                f"witness {entry.witness} did not see school B's data "
                f"({response.status_code}): the leak check is blind on this route"
            )
    assert not problems, f"{route} ({url}):\n" + "\n".join(problems)


ADMIN_URLS = (
    "/admin/",
    "/admin/schools/school/",
    "/admin/results/pupilresult/",
    "/admin/auth/user/",
)


def test_admin_is_closed_to_everyone_but_administrators(world):
    for role in ROLES:
        client = client_for(world, role)
        for url in (*ADMIN_URLS, f"/admin/schools/school/{world.school_b.pk}/change/"):
            response = client.get(url)
            if role == "admin":
                assert response.status_code == 200, (role, url, response.status_code)
            else:
                assert response.status_code in (302, 404), (role, url, response.status_code)
                if response.status_code == 302:
                    assert response["Location"].startswith("/admin/login/"), (role, url)


# --- management commands -----------------------------------------------------------------
# The shell is the administrator's: commands are never reachable over HTTP. Each command
# that writes refuses bad input with a CommandError and writes nothing.

PROJECT_APPS = ("schools", "results", "plans", "observers", "vpr_portal")


@dataclass(frozen=True)
class CommandEntry:
    writes: bool
    bad_input: Callable[[Path], list[str]] | None = None
    note: str = ""
    #: A command that keeps a record of what it refused: these models may gain failed rows.
    refusal_records: tuple[str, ...] = ()


def junk(tmp: Path, name: str) -> str:
    path = tmp / name
    path.write_bytes(b"PK\x03\x04 this is not a spreadsheet")
    return str(path)


COMMANDS: dict[str, CommandEntry] = {
    "import_schools": CommandEntry(True, lambda tmp: [junk(tmp, "reestr.xlsx")]),
    "import_results": CommandEntry(
        True,
        lambda tmp: [junk(tmp, "results.xlsx")],
        note="the refused upload is kept as failed, like the page's, with its failed job",
        refusal_records=("results.Upload", "portal.Job"),
    ),
    "import_catalog": CommandEntry(True, lambda tmp: [junk(tmp, "catalog.json")]),
    "import_official_list": CommandEntry(True, lambda tmp: [junk(tmp, "list.xlsx")]),
    "import_plan": CommandEntry(True, lambda tmp: [junk(tmp, "plan.docx")]),
    "import_observers": CommandEntry(True, lambda tmp: [junk(tmp, "observers.xlsx")]),
    "import_schedule": CommandEntry(True, lambda tmp: [junk(tmp, "schedule.xlsx")]),
    "compute_indicators": CommandEntry(
        True, lambda tmp: ["--year", "2026", "--municipality", "Нет такого"]
    ),
    "seed_demo": CommandEntry(True, lambda tmp: ["--seed", "не число"]),
    "export_signs": CommandEntry(False, note="reads signs, writes a file the admin names"),
    "render_plan_pdf": CommandEntry(False, note="reads a plan, writes a PDF the admin names"),
    "runportal": CommandEntry(False, note="starts the development server and a worker"),
    "purge_pupil_rows": CommandEntry(
        True,
        note="takes no input: deletes pupil rows past the retention setting "
        "(tests/security/test_retention.py)",
    ),
    "backup_portal": CommandEntry(False, note="reads everything into an archive the admin names"),
    "restore_portal": CommandEntry(True, lambda tmp: [junk(tmp, "backup.tar.gz")]),
}


def project_commands() -> list[str]:
    return sorted(name for name, app in get_commands().items() if app in PROJECT_APPS)


def test_every_management_command_has_a_matrix_entry():
    commands = project_commands()
    missing = [name for name in commands if name not in COMMANDS]
    assert not missing, "Commands without an access-matrix entry: " + ", ".join(missing)
    assert set(COMMANDS) <= set(commands), set(COMMANDS) - set(commands)


@pytest.mark.parametrize(
    "name", [name for name, entry in COMMANDS.items() if entry.writes and entry.bad_input], ids=str
)
def test_a_writing_command_refuses_bad_input_and_writes_nothing(world, name, tmp_path):
    entry = COMMANDS[name]
    records = {label: apps.get_model(label) for label in entry.refusal_records}
    kept = {label: set(m.objects.values_list("pk", flat=True)) for label, m in records.items()}
    before = fingerprint()
    with pytest.raises(CommandError):
        call_command(name, *entry.bad_input(tmp_path))
    after = fingerprint()
    touched = changed(before, after)
    for label, record in records.items():
        if label not in touched:
            continue
        # Only new rows, each a failed record of the refusal; nothing existing changed.
        assert set(before[label]) <= set(after[label])
        new = record.objects.exclude(pk__in=kept[label])
        assert new.exists() and not new.exclude(status="failed").exists()
        touched.remove(label)
    assert touched == []

"""The scene of the access matrix: one municipality's objects and nine people around them.

Every object of the scene belongs to school B («Школа Зюйдвест-Б») of the home municipality
and carries the word «зюйдвест» in its text, so a page that leaks it is found by that word
(case-insensitively; xlsx/docx bodies are unzipped first). The people:

- anonymous;
- coordinator_a: coordinator of school A, the neighbour in the same municipality;
- coordinator_b: coordinator of school B, whose data it is;
- observer: an observer of the same municipality, not assigned to school B;
- expert: an expert of the same municipality;
- staff_other: department staff of another municipality of the region;
- staff: department staff of the home municipality;
- region_staff: department staff of the whole region;
- admin: an administrator.
"""

from __future__ import annotations

import datetime
import html
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from schools.roles import Role
from tests import factories

MARKER = "зюйдвест"
ROLES = (
    "anonymous",
    "coordinator_a",
    "coordinator_b",
    "observer",
    "expert",
    "staff_other",
    "staff",
    "region_staff",
    "admin",
)
# Apps whose rows a refused write must leave untouched (auth users too, but not last_login).
FINGERPRINT_APPS = ("schools", "results", "plans", "observers", "portal")


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    """Build the scene; MEDIA_ROOT must already point at a temporary folder."""
    from observers.models import Act, ActPhoto, ActStatus
    from plans.models import Evidence, PartyKind, PlanImportDraft, Responsible
    from results.models import PupilResult
    from vpr_portal.models import Job, JobStatus

    w = World()
    o = w.objects
    o["region"] = region = factories.RegionFactory(name="Область матрицы доступа")
    o["home"] = home = factories.MunicipalityFactory(region=region, name="Город Домашний")
    o["other"] = other = factories.MunicipalityFactory(region=region, name="Посёлок Соседний")
    o["school_a"] = school_a = factories.SchoolFactory(
        municipality=home, login="edu771001", short_name="Школа Соседка", full_name="МБОУ «Соседка»"
    )
    o["school_b"] = school_b = factories.SchoolFactory(
        municipality=home,
        login="edu773101",
        short_name="Школа Зюйдвест-Б",
        full_name="МБОУ «Школа Зюйдвест-Б»",
        director="Зюйдвестов Б. Б.",
    )
    o["school_other"] = factories.SchoolFactory(
        municipality=other,
        login="edu779901",
        short_name="Школа Дальняя",
        full_name="МБОУ «Дальняя»",
    )

    users = w.users
    users["anonymous"] = None
    users["coordinator_a"] = factories.make_coordinator(school=school_a, username="m-coord-a")
    users["coordinator_b"] = factories.make_coordinator(school=school_b, username="m-coord-b")
    own_observer = factories.ObserverFactory(municipality=home, last_name="Иванова")
    users["observer"] = factories.make_observer_user(observer=own_observer, username="m-observer")
    users["expert"] = factories.UserFactory(username="m-expert")
    factories.MembershipFactory(user=users["expert"], role=Role.EXPERT, municipality=home)
    users["staff_other"] = factories.make_staff(municipality=other, username="m-staff-other")
    users["staff"] = staff = factories.make_staff(municipality=home, username="m-staff")
    users["region_staff"] = factories.make_region_staff(region=region)
    users["admin"] = factories.make_administrator()

    # Results: a catalog test (shared by everyone) and school B's upload with pupils' rows.
    today = timezone.localdate()
    o["test"] = test = factories.TestFactory(year=today.year, subject="Русский язык", grade=4)
    o["upload"] = upload = factories.make_results(
        test=test,
        school=school_b,
        rows=[("4М", [2, 2, 3, 3], 5, 5), ("4М", [1, 1, 1, 1], 3, 4)],
        filename="зюйдвест-результаты.xlsx",
    )
    upload.error_report.save("зюйдвест-ошибки.xlsx", ContentFile(b"PK"), save=True)
    PupilResult.objects.filter(upload=upload).update(participant_code="ЗЮЙДВЕСТ-1")

    # A job started by the home staff, with its file.
    o["job"] = job = Job.objects.create(
        kind="report", title="Выгрузка зюйдвест", status=JobStatus.SUCCEEDED, created_by=staff
    )
    job.output_file.save("зюйдвест.xlsx", ContentFile("зюйдвест".encode()), save=True)

    # Plans: an approved plan of the home municipality; school B answers for its item.
    o["plan"] = plan = factories.PlanFactory(municipality=home, title="План зюйдвест")
    o["section"] = section = factories.PlanSectionFactory(plan=plan, title="Раздел зюйдвест")
    o["item"] = item = factories.PlanItemFactory(section=section, text="Пункт зюйдвест")
    Responsible.objects.create(
        item=item, text="Школа Зюйдвест-Б", kind=PartyKind.SCHOOL, school=school_b
    )
    evidence = Evidence(item=item, school=school_b, title="Протокол зюйдвест")
    evidence.file.save("зюйдвест.pdf", ContentFile(b"%PDF-1.4 marker"), save=False)
    evidence.save()
    o["evidence"] = evidence
    o["draft"] = PlanImportDraft.objects.create(
        municipality=home,
        created_by=staff,
        source_name="зюйдвест.docx",
        data={"title": "Черновик зюйдвест", "sections": []},
    )

    # Observers: school B's session, another observer assigned to it, their filed act.
    o["observer_target"] = target = factories.ObserverFactory(
        municipality=home, last_name="Зюйдвестова", first_name="Мария"
    )
    o["tie"] = factories.ObserverTieFactory(observer=target, school=school_b, note="зюйдвест")
    o["session"] = session = factories.ScheduledSessionFactory(
        school=school_b,
        test=test,
        class_label="4М",
        date=today,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(9, 45),
    )
    o["assignment"] = assignment = factories.AssignmentFactory(observer=target, session=session)
    o["act"] = act = Act.objects.create(
        assignment=assignment,
        stage=assignment.stage,
        status=ActStatus.SUBMITTED,
        comments="Комментарий зюйдвест",
        submitted_at=timezone.now(),
    )
    photo = ActPhoto(act=act, original_name="зюйдвест.jpg", width=1, height=1)
    photo.image.save("зюйдвест.jpg", ContentFile(b"\xff\xd8\xff marker"), save=False)
    photo.save()
    o["photo"] = photo
    return w


def body_text(response) -> str:
    """The response's text; xlsx/docx (zip) bodies are unzipped and their members joined."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                raw = b"\n".join(archive.read(name) for name in archive.namelist())
        except zipfile.BadZipFile:
            pass
        else:
            # openpyxl writes Cyrillic as character references (&#1084;…).
            return html.unescape(raw.decode("utf-8", errors="replace"))
    return raw.decode("utf-8", errors="replace")


def leaks(response) -> bool:
    return MARKER in body_text(response).lower()


# Journals that record refused imports and reads: a refusal writes there by design, and
# they hold nothing another school could use.
AUDIT_JOURNALS = {"portal.ImportBatch", "portal.PupilDataAccess"}


def fingerprint() -> dict[str, list]:
    """Every row of the portal's apps (and users, without last_login), for before/after."""
    state: dict[str, list] = {}
    for label in FINGERPRINT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in AUDIT_JOURNALS:
                continue  # a refused request is recorded there on purpose
            fields = [f.attname for f in model._meta.concrete_fields]
            state[model._meta.label] = sorted(
                (repr(row) for row in model.objects.values_list(*fields)), key=str
            )
    user_fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    user_fields.remove("last_login")
    state["auth.User"] = sorted(
        repr(row) for row in get_user_model().objects.values_list(*user_fields)
    )
    return state


def changed(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]

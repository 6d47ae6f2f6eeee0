"""factory_boy factories shared by the test suite (one section per app)."""

import factory
from django.contrib.auth import get_user_model

from results.models import Test, TestTask
from schools.models import Membership, Municipality, Region, School, SchoolType
from schools.roles import Role


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Регион {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Муниципалитет {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    login = factory.Sequence(lambda n: f"edu{500000 + n:06d}")
    municipality = factory.SubFactory(MunicipalityFactory)
    full_name = factory.Sequence(lambda n: f"МБОУ «Средняя общеобразовательная школа № {n}»")
    short_name = factory.Sequence(lambda n: f"СОШ № {n}")
    school_type = SchoolType.SCHOOL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.STAFF


def make_staff(*, municipality: Municipality, username: str | None = None):
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, role=Role.STAFF, municipality=municipality)
    return user


def make_region_staff(*, region: Region):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.STAFF, region=region)
    return user


def make_coordinator(*, school: School, username: str | None = None):
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, role=Role.COORDINATOR, school=school)
    return user


def make_administrator():
    user = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=user, role=Role.ADMINISTRATOR)
    return user


class TestFactory(factory.django.DjangoModelFactory):
    """A small catalog test: 4 tasks, max 10, cuts 4/6/8."""

    class Meta:
        model = Test

    year = 2026
    session = "spring"
    subject = "Математика"
    grade = factory.Sequence(lambda n: 4 + n % 5)
    max_score = 10
    cut_3 = 4
    cut_4 = 6
    cut_5 = 8

    @factory.post_generation
    def tasks(obj, create, extracted, **kwargs):
        if not create:
            return
        specs = extracted or [("1", 2, "Б"), ("2", 2, "Б"), ("3", 3, "Б"), ("4", 3, "П")]
        for position, (number, maximum, level) in enumerate(specs, start=1):
            TestTask.objects.create(
                test=obj, position=position, number=number, max_score=maximum, level=level
            )


# --- observers ---------------------------------------------------------------------------------
import datetime as _dt  # noqa: E402

from django.utils import timezone as _tz  # noqa: E402

from observers.models import (  # noqa: E402
    Assignment,
    Observer,
    ObserverStatus,
    ObserverTie,
    ScheduledSession,
    Stage,
)


class ObserverFactory(factory.django.DjangoModelFactory):
    """An accredited observer, valid for a year from today."""

    class Meta:
        model = Observer

    municipality = factory.SubFactory(MunicipalityFactory)
    last_name = factory.Sequence(lambda n: f"Наблюдателева{n}")
    first_name = "Анна"
    middle_name = "Петровна"
    email = factory.Sequence(lambda n: f"observer{n}@example.org")
    status = ObserverStatus.ACCREDITED
    training_completed_on = factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=60))
    certificate_number = factory.Sequence(lambda n: f"ОН-{n:04d}")
    accredited_until = factory.LazyFunction(lambda: _tz.localdate() + _dt.timedelta(days=365))


class ObserverTieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObserverTie

    observer = factory.SubFactory(ObserverFactory)
    school = factory.SubFactory(SchoolFactory)
    kind = "works"


class ScheduledSessionFactory(factory.django.DjangoModelFactory):
    """A 4th-grade class writing at 09:00–09:45 today (the test is made for this year)."""

    class Meta:
        model = ScheduledSession

    school = factory.SubFactory(SchoolFactory)
    test = factory.SubFactory(
        TestFactory,
        grade=4,
        subject="Русский язык",
        year=factory.LazyFunction(lambda: _tz.localdate().year),
    )
    class_label = "4А"
    date = factory.LazyFunction(_tz.localdate)
    start_time = _dt.time(9, 0)
    end_time = _dt.time(9, 45)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """Bypasses the conflict rules: for setting up a scene, not for testing the rules."""

    class Meta:
        model = Assignment

    observer = factory.SubFactory(ObserverFactory)
    session = factory.SubFactory(ScheduledSessionFactory)
    stage = Stage.TEST
    date = factory.LazyAttribute(lambda a: a.session.date)
    start_time = factory.LazyAttribute(lambda a: a.session.start_time)
    end_time = factory.LazyAttribute(lambda a: a.session.end_time)


def make_observer_user(*, observer: Observer, username: str | None = None):
    """A login with the observer role, tied to the observer record."""
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, role=Role.OBSERVER, municipality=observer.municipality)
    observer.user = user
    observer.save(update_fields=["user"])
    return user


# --------------------------------------------------------------------------- plans

import datetime as _plans_dt  # noqa: E402


def _plans_models():
    from plans import models as plan_models

    return plan_models


class PlanFactory(factory.django.DjangoModelFactory):
    """An approved academic-year plan 2023–2024 with one section (add items with ItemFactory)."""

    class Meta:
        model = "plans.Plan"

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"План мероприятий по обеспечению объективности ВПР № {n}")
    period_start = _plans_dt.date(2023, 9, 1)
    period_end = _plans_dt.date(2024, 8, 31)
    status = "approved"


class PlanSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plans.Section"

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: f"{n + 1}.")
    title = "Организационные мероприятия"
    position = factory.Sequence(lambda n: n)


class PlanItemFactory(factory.django.DjangoModelFactory):
    """An item; pass windows=[(start, end), …] and responsible=[text, …] to add them."""

    class Meta:
        model = "plans.Item"
        skip_postgeneration_save = True

    section = factory.SubFactory(PlanSectionFactory)
    plan = factory.LazyAttribute(lambda item: item.section.plan)
    number = factory.Sequence(lambda n: f"1.{n + 1}.")
    text = factory.Sequence(lambda n: f"Совещание с руководителями ОО по объективности ВПР № {n}")
    deadline_text = "Март 2024"
    deadline_kind = "window"
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def windows(obj, create, extracted, **kwargs):
        if not create:
            return
        models = _plans_models()
        for start, end in (
            extracted
            if extracted is not None
            else [(_plans_dt.date(2024, 3, 1), _plans_dt.date(2024, 3, 31))]
        ):
            models.DeadlineWindow.objects.create(item=obj, start=start, end=end)

    @factory.post_generation
    def responsible(obj, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from plans.services.editing import apply_responsibles

        apply_responsibles(item=obj, texts=list(extracted))
        obj.responsible_text = "\n".join(extracted)
        obj.save(update_fields=["responsible_text"])


# --- results -------------------------------------------------------------------------------


def pack_of(pupils) -> bytes:
    """The pack (results.packs) of PupilResult instances, as the import service writes it."""
    import numpy as np

    from results.packs import pack_pupils

    return pack_pupils(
        class_labels=np.array([p.class_label for p in pupils], dtype=str),
        primary_score=np.array([p.primary_score for p in pupils], dtype=np.int16),
        mark=np.array([p.mark for p in pupils], dtype=np.int16),
        journal_mark=np.array([p.journal_mark for p in pupils], dtype=np.int16),
        task_scores=np.array([list(p.scores) for p in pupils], dtype=np.int16).reshape(
            len(pupils), -1
        ),
    )


def make_results(*, test, school, rows, filename: str = "results.xlsx"):
    """Store pupils' rows as the current version of school × test, bypassing the file.

    ``rows``: (class label, task scores, mark, journal mark) per pupil; the primary score
    is the sum of the scores, codes are numbered from 10001. Returns the upload.
    """
    from django.core.files.base import ContentFile

    from results.models import (
        PupilResult,
        ResultSlot,
        ResultVersion,
        Upload,
        UploadSource,
        UploadStatus,
    )

    upload = Upload(
        original_filename=filename,
        sha256=f"{test.pk:032d}{school.pk:032d}",
        test=test,
        school=school,
        status=UploadStatus.APPLIED,
        source=UploadSource.CLI,
    )
    upload.file.save(filename, ContentFile(b"test"), save=False)
    upload.save()
    slot, _ = ResultSlot.objects.get_or_create(school=school, test=test)
    number = 1 + (slot.current.number if slot.current else 0)
    PupilResult.objects.filter(test=test, school=school).delete()
    pupils = [
        PupilResult(
            school=school,
            test=test,
            upload=upload,
            class_label=class_label,
            participant_code=str(10001 + i),
            scores=list(scores),
            primary_score=sum(scores),
            mark=mark,
            journal_mark=journal,
            source_row=i + 8,
        )
        for i, (class_label, scores, mark, journal) in enumerate(rows)
    ]
    version = ResultVersion.objects.create(
        school=school, test=test, upload=upload, number=number, rows=len(rows),
        content_sha256=upload.sha256, pupils_pack=pack_of(pupils),
    )  # fmt: skip
    slot.current = version
    slot.save()
    PupilResult.objects.bulk_create(pupils)
    return upload


# --- indicators --------------------------------------------------------------------------------


def make_synthetic_region_results(
    *,
    municipalities,
    year: int = 2026,
    subject: str = "Русский язык",
    grade: int = 4,
    n_schools: int = 60,
    seed: int = 20260501,
    manipulation_shares: dict | None = None,
):
    """Store a synthetic region (results.objectivity.synthetic) as pupils' rows of one test.

    Schools are created round-robin over ``municipalities`` with logins edu7NNNNN (lyceums
    where the generator made selective schools). Returns (test, schools by index, the
    generator's truth: school kind per index).
    """
    import numpy as np

    from results.models import PupilResult, ResultSlot, ResultVersion, Upload, UploadStatus
    from results.objectivity.synthetic import RegionConfig, TestDesign, generate_region

    design = TestDesign()
    config = RegionConfig(n_schools=n_schools, seed=seed)
    if manipulation_shares is not None:
        config = RegionConfig(
            n_schools=n_schools, seed=seed, manipulation_shares=manipulation_shares
        )
    region = generate_region(config, design)
    arrays = region.arrays
    levels = {0: "Б", 1: "П", 2: "В"}
    test = TestFactory(
        year=year,
        subject=subject,
        grade=grade,
        max_score=int(sum(design.task_max)),
        cut_3=design.cut_scores[0],
        cut_4=design.cut_scores[1],
        cut_5=design.cut_scores[2],
        tasks=[
            (str(j + 1), int(m), levels[int(level)])
            for j, (m, level) in enumerate(zip(design.task_max, design.task_level, strict=True))
        ],
    )
    schools = []
    for s in range(arrays.n_schools):
        schools.append(
            School.objects.filter(login=f"edu7{s:05d}").first()
            or SchoolFactory(
                municipality=municipalities[s % len(municipalities)],
                login=f"edu7{s:05d}",
                short_name=f"Школа {s}",
                school_type="lyceum" if arrays.school_is_selective[s] else "school",
            )
        )
    upload = Upload.objects.create(
        original_filename="synthetic.xlsx", sha256=f"{test.pk:064d}", test=test,
        status=UploadStatus.APPLIED,
    )  # fmt: skip
    rows = []
    order = np.argsort(arrays.school_idx, kind="stable")
    for i in order.tolist():
        s = int(arrays.school_idx[i])
        rows.append(
            PupilResult(
                school=schools[s],
                test=test,
                upload=upload,
                class_label=f"{grade}{'АБВГДЕЖЗИК'[int(arrays.class_idx[i]) % 10]}",
                participant_code=str(10000 + i),
                scores=[int(v) for v in arrays.task_scores[i]],
                primary_score=int(arrays.primary_score[i]),
                mark=int(arrays.mark[i]),
                journal_mark=max(0, int(arrays.journal_mark[i])),
            )
        )
    PupilResult.objects.bulk_create(rows, batch_size=2000)
    counts = np.bincount(arrays.school_idx, minlength=arrays.n_schools)
    by_school: dict[int, list] = {}
    for row in rows:
        by_school.setdefault(row.school.pk, []).append(row)
    for s, school in enumerate(schools):
        if not counts[s]:
            continue
        version = ResultVersion.objects.create(
            school=school, test=test, upload=upload, number=1, rows=int(counts[s]),
            content_sha256=f"{s:064d}", pupils_pack=pack_of(by_school[school.pk]),
        )  # fmt: skip
        ResultSlot.objects.update_or_create(school=school, test=test, defaults={"current": version})
    return test, schools, region.school_kind

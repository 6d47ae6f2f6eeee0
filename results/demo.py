"""Demo catalog and believable results for the demo schools (seed_demo).

Results are generated per school × test from a simple item-response model, written as
ФИС ОКО municipal exports (F1 xlsx, one per municipality and test) and imported through
the real import service, exactly as a department would upload them.

Most schools are honest: the lyceum (edu990001) and the gymnasium (edu990003) because
their pupils are stronger, the rest around the region's level. A few ordinary schools
show the inflation patterns the objectivity indicators look for:

* bunching: pupils one or two points below the cut for «3» or «4» are lifted to it;
* journal matching: a VPR mark below the teacher's journal mark is raised to it
  (scores added up to the cut), so «подтвердили» approaches 100 %;
* prompting: advanced (П) tasks solved regardless of ability (an inverted profile);
* a couple of marks that the scale does not give for the score (sign h).

Inflation in grade 4 only (and honest grade 5 a year later) also gives a cohort drop.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model

from results.fileformats import TaskSpec
from results.fileformats.synthetic import SyntheticF1, SyntheticTest, write_f1_xlsx
from results.models import Test, UploadSource
from results.services import import_catalog
from results.services.uploads import create_upload, process_upload
from schools.models import School, SchoolType

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CATALOG_FIXTURE = FIXTURES / "catalog.json"
DEMO_CATALOG_FIXTURE = FIXTURES / "demo_catalog.json"

DEMO_YEARS = (2025, 2026)
DEMO_TESTS = [("Русский язык", 4), ("Математика", 4), ("Русский язык", 5), ("Математика", 5)]

#: Ability of a school's pupils relative to the region (logit units).
SCHOOL_LEVEL = {"edu990001": 0.95, "edu990003": 0.75}


@dataclass(frozen=True)
class Inflation:
    bunching: float = 0.0  # share of pupils just below a cut lifted to it
    journal: float = 0.0  # share of marks below the journal mark raised to it
    prompting: float = 0.0  # chance that an advanced task is solved regardless of ability
    wrong_marks: int = 0  # marks that do not match the scale (sign h)
    grades: tuple[int, ...] = (4, 5)


#: Ordinary schools that inflate (no lyceum or gymnasium among them).
INFLATING = {
    "edu990007": Inflation(bunching=0.8, grades=(4,)),
    "edu990012": Inflation(bunching=0.6, journal=0.9, wrong_marks=2),
    "edu990016": Inflation(prompting=0.85, journal=0.5),
    "edu990104": Inflation(bunching=0.7, journal=0.8, prompting=0.6, grades=(4,)),
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _class_sizes(school: School, rng: np.random.Generator) -> list[int]:
    if school.locality == "village":
        return [int(rng.integers(6, 15))]
    if school.is_selective:
        return [int(rng.integers(24, 29)) for _ in range(3)]
    if school.school_type in (SchoolType.BOARDING, SchoolType.EDUCATION_CENTRE):
        return [int(rng.integers(12, 20))]
    return [int(rng.integers(18, 28)) for _ in range(int(rng.integers(2, 4)))]


def _mark(primary: np.ndarray, cuts: tuple[int, int, int]) -> np.ndarray:
    return (2 + np.searchsorted(np.asarray(cuts), primary, side="right")).astype(np.int8)


def _raise_to(scores: np.ndarray, maxima: np.ndarray, order: np.ndarray, need: int) -> None:
    """Add ``need`` points to a pupil's scores, task by task in ``order`` (in place)."""
    for j in order:
        if need <= 0:
            return
        add = min(int(maxima[j] - scores[j]), need)
        scores[j] += add
        need -= add


def _lower_to(scores: np.ndarray, order: np.ndarray, excess: int) -> None:
    """Take ``excess`` points off a pupil's scores, task by task in ``order`` (in place)."""
    for j in order:
        if excess <= 0:
            return
        take = min(int(scores[j]), excess)
        scores[j] -= take
        excess -= take


@dataclass
class SchoolResults:
    school: School
    classes: np.ndarray
    codes: np.ndarray
    variants: np.ndarray
    scores: np.ndarray
    unanswered: np.ndarray
    marks: np.ndarray
    journal: np.ndarray


def generate_school(
    *, school: School, test: Test, tasks: list[TaskSpec], rng: np.random.Generator
) -> SchoolResults:
    """One school's pupils for one test: scores, unanswered tasks, marks, journal marks."""
    maxima = np.array([t.max_score for t in tasks], dtype=np.int16)
    advanced = np.array([t.level == "П" for t in tasks])
    # Task difficulty: basic tasks easier than advanced ones (fixed per test).
    task_rng = np.random.default_rng(
        zlib.crc32(f"{test.year} {test.subject} {test.grade}".encode())
    )
    difficulty = np.where(
        advanced,
        task_rng.uniform(0.4, 1.5, advanced.size),
        task_rng.uniform(-1.4, 0.2, advanced.size),
    )

    sizes = _class_sizes(school, rng)
    n = sum(sizes)
    classes = np.repeat([f"{test.grade}{'АБВГ'[i]}" for i in range(len(sizes))], sizes)
    base = SCHOOL_LEVEL.get(school.login, float(rng.normal(0.0, 0.3)))
    if school.locality == "village":
        base -= 0.25
    ability = rng.normal(base + 0.5, 1.0, n)
    p = _sigmoid(1.4 * (ability[:, None] - difficulty[None, :]))
    scores = rng.binomial(maxima[None, :], p).astype(np.int16)
    unanswered = (scores == 0) & (rng.random(scores.shape) < 0.35)

    # The teacher's journal mark: the pupil's expected result seen with noise, graded a
    # little leniently, and «2» given reluctantly (as journals usually are).
    expected = (maxima[None, :] * p).sum(axis=1)
    seen = expected + rng.normal(0.04 * test.max_score, 0.1 * test.max_score, n)
    journal = _mark(np.round(seen).astype(np.int64), test.cuts)
    journal[(journal == 2) & (rng.random(n) < 0.5)] = 3

    inflation = INFLATING.get(school.login)
    if inflation is not None and test.grade in inflation.grades:
        cuts = np.array(test.cuts)
        if inflation.prompting:
            solved = advanced[None, :] & (rng.random(scores.shape) < inflation.prompting)
            scores = np.where(solved, maxima[None, :], scores).astype(np.int16)
        basic_first = np.argsort(advanced, kind="stable")
        advanced_first = basic_first[::-1]
        for i in range(n):
            primary = int(scores[i].sum())
            gap = cuts[:2] - primary
            near = gap[(gap >= 1) & (gap <= 2)]
            if near.size and rng.random() < inflation.bunching:
                _raise_to(scores[i], maxima, basic_first, int(near[0]))
                primary = int(scores[i].sum())
            mark = int(_mark(np.array([primary]), test.cuts)[0])
            if journal[i] != mark and rng.random() < inflation.journal:
                # Checked "to the expected mark": lifted to the journal mark's cut, or
                # trimmed to the top of its band (points taken from hard tasks first).
                if journal[i] > mark:
                    _raise_to(scores[i], maxima, basic_first, int(cuts[journal[i] - 3]) - primary)
                else:
                    top = int(cuts[journal[i] - 2]) - 1 if journal[i] < 5 else primary
                    _lower_to(scores[i], advanced_first, primary - top)
        unanswered &= scores == 0
    marks = _mark(scores.sum(axis=1), test.cuts)
    if inflation is not None and inflation.wrong_marks and test.grade in inflation.grades:
        for i in rng.choice(n, size=min(inflation.wrong_marks, n), replace=False):
            marks[i] = journal[i] if journal[i] != marks[i] else min(5, marks[i] + 1)
    journal[rng.random(n) < 0.02] = 0  # a few pupils without a journal mark

    first_code = int(rng.integers(10, 90)) * 1000
    return SchoolResults(
        school=school,
        classes=classes.astype(object),
        codes=np.arange(first_code + 1, first_code + 1 + n, dtype=np.int64),
        variants=(1 + np.arange(n) % 2).astype(np.int16),
        scores=scores,
        unanswered=unanswered,
        marks=marks,
        journal=journal,
    )


def municipal_export(test: Test, tasks: list[TaskSpec], parts: list[SchoolResults]) -> SyntheticF1:
    """The schools' results as one F1 export (what ФИС ОКО gives a municipality)."""
    spec = SyntheticTest(test.year, test.subject, test.grade, tuple(tasks), test.cuts)
    return SyntheticF1(
        test=spec,
        logins=[p.school.login for p in parts],
        school_names=[p.school.full_name for p in parts],
        login_index=np.repeat(np.arange(len(parts), dtype=np.int32), [p.codes.size for p in parts]),
        class_label=np.concatenate([p.classes for p in parts]),
        participant_code=np.concatenate([p.codes for p in parts]),
        variant=np.concatenate([p.variants for p in parts]),
        scores=np.concatenate([p.scores for p in parts]),
        unanswered=np.concatenate([p.unanswered for p in parts]),
        primary_score=np.concatenate([p.scores.sum(axis=1, dtype=np.int16) for p in parts]),
        mark=np.concatenate([p.marks for p in parts]),
        journal_mark=np.concatenate([p.journal for p in parts]),
    )


def _demo_tests() -> list[Test]:
    tests = []
    for year in DEMO_YEARS:
        for subject, grade in DEMO_TESTS:
            test = Test.objects.for_key(
                year=year, session="spring", subject=subject, grade=grade
            ).first()
            if test is not None:
                tests.append(test)
    return tests


def seed_results(*, schools: dict[str, School], rng: random.Random, stdout=None) -> dict[str, int]:
    """Generate and import the demo results; returns rows imported per test."""
    generator = np.random.default_rng(rng.randrange(2**32))
    staff = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=["staff", "staff2"])
    }
    by_municipality: dict[int, list[School]] = {}
    for school in sorted(schools.values(), key=lambda s: s.login):
        by_municipality.setdefault(school.municipality_id, []).append(school)
    imported: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="vpr-demo-") as workdir:
        for test in _demo_tests():
            tasks = [TaskSpec(t.number, t.max_score, t.level) for t in test.tasks.all()]
            for number, members in enumerate(by_municipality.values(), start=1):
                municipality = members[0].municipality
                eligible = [
                    s
                    for s in members
                    if not (s.school_type == SchoolType.PRIMARY and test.grade > 4)
                ]
                parts = [
                    generate_school(school=s, test=test, tasks=tasks, rng=generator)
                    for s in eligible
                ]
                path = Path(workdir) / f"F1-{test.year}-{test.grade}-{test.pk}-{number}.xlsx"
                write_f1_xlsx(
                    path, municipal_export(test, tasks, parts), date=dt.date(test.year, 4, 17)
                )
                uploader = staff.get("staff" if number == 1 else "staff2")
                with open(path, "rb") as handle:
                    created = create_upload(
                        file=handle,
                        filename=f"Индивидуальные результаты {test.short_code} {test.year} — {municipality.name}.xlsx",
                        user=uploader,
                        municipality=municipality,
                        source=UploadSource.DEMO,
                    )
                outcome = (
                    created.unchanged
                    if created.upload is None
                    else process_upload(upload_id=created.upload.pk)
                )
                if outcome.refused:
                    raise RuntimeError(f"demo import refused: {outcome.message}")
                imported[str(test)] = imported.get(str(test), 0) + sum(outcome.schools.values())
    return imported


def seed(*, rng: random.Random, context: dict, stdout=None) -> str:
    report = import_catalog(data=CATALOG_FIXTURE)
    demo = import_catalog(data=DEMO_CATALOG_FIXTURE)
    summary = (
        f"каталог работ: добавлено {report.created + demo.created}, "
        f"обновлено {report.updated + demo.updated}"
    )
    schools = context.get("schools")
    if not schools:
        return summary
    imported = seed_results(schools=schools, rng=rng, stdout=stdout)
    # Demo uploads skip the per-upload recompute job: compute each year once here.
    from results.indicators.services import compute_indicators

    flagged = sum(compute_indicators(year=year).flagged for year in DEMO_YEARS)
    return (
        f"{summary}; результаты: {sum(imported.values())} участников в {len(imported)} работах; "
        f"ОО × работ с признаками: {flagged}"
    )

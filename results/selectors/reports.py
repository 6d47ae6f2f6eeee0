"""The ФИС ОКО reports for a user's scope: arrays in, report dictionaries out.

A report compares groups: the class (if chosen), the school, its municipality and the
region. Coordinators see their own school against the municipality and the region (as
ФИС ОКО shows them); department staff see any school of their territory and, when no
school is chosen, a line per school of the municipality. Rows are loaded once per report
with ``values_list`` into numpy (never model instances), then split by group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.http import Http404

from results.models import PupilResult, ResultSlot, Test
from results.reports import statistics as st
from schools import roles
from schools.models import Municipality, Region, School
from vpr_portal.charts import number

REPORT_TITLES = {
    "marks": "Статистика по отметкам",
    "journal": "Сравнение отметок с отметками по журналу",
    "histogram": "Гистограмма первичных баллов",
    "tasks": "Выполнение заданий",
    "dynamics": "Динамика результатов по годам",
}
LEVEL_LABELS = {
    "region": "Регион",
    "municipality": "Муниципалитет",
    "school": "ОО",
    "class": "Класс",
}


@dataclass
class ReportScope:
    """What a report is about, already checked against the user's rights."""

    test: Test
    region: Region
    municipality: Municipality
    school: School | None = None
    class_label: str = ""
    #: Staff without a chosen school: one line per school of the municipality.
    per_school: bool = False
    schools: list[School] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "test": test_info(self.test),
            "region": self.region.name,
            "municipality": self.municipality.name,
            "school": (
                {"id": self.school.pk, "login": self.school.login, "name": self.school.display_name}
                if self.school
                else None
            ),
            "class_label": self.class_label,
        }


def test_info(test: Test) -> dict[str, Any]:
    return {
        "id": test.pk,
        "label": str(test),
        "year": test.year,
        "session": test.session,
        "subject": test.subject,
        "grade": test.grade,
        "max_score": test.max_score,
        "cuts": list(test.cuts),
    }


def tests_with_results(user: Any, *, year: int | None = None) -> QuerySet[Test]:
    """Tests that have current results in at least one school the user may see."""
    slots = ResultSlot.objects.filter(current__isnull=False)
    if not roles.sees_everything(user):
        slots = slots.filter(school__in=roles.visible_schools(user))
    tests = Test.objects.filter(pk__in=slots.values("test_id"))
    if year:
        tests = tests.filter(year=year)
    return tests.order_by("-year", "grade", "subject", "session")


def report_municipalities(user: Any) -> QuerySet[Municipality]:
    """Municipalities whose schools the user may list (staff); coordinators get theirs."""
    if roles.is_department_staff(user):
        return roles.visible_municipalities(user).select_related("region")
    return Municipality.objects.filter(
        pk__in=roles.coordinated_schools(user).values("municipality_id")
    ).select_related("region")


def resolve_scope(
    user: Any,
    *,
    test: Test,
    municipality_id: int | None = None,
    school_id: int | None = None,
    class_label: str = "",
) -> ReportScope:
    """Check the filters against the user's rights: 404 for anything outside them."""
    if school_id:
        school = roles.get_school_for_user(user, pk=school_id)
    elif not roles.is_department_staff(user):
        own = list(roles.coordinated_schools(user).select_related("municipality__region")[:1])
        if not own:
            raise Http404("Нет доступных ОО")
        school = own[0]
    else:
        school = None
    if school is not None:
        municipality = school.municipality
    else:
        municipalities = report_municipalities(user)
        municipality = (
            municipalities.filter(pk=municipality_id).first()
            if municipality_id
            else municipalities.order_by("name").first()
        )
        if municipality is None:
            raise Http404("Муниципалитет не найден")
    scope = ReportScope(
        test=test,
        region=municipality.region,
        municipality=municipality,
        school=school,
        class_label=class_label if school is not None else "",
        per_school=school is None,
    )
    if scope.per_school:
        scope.schools = list(
            roles.visible_schools(user).filter(municipality=municipality).order_by("login")
        )
    return scope


def class_labels(*, test: Test, school: School) -> list[str]:
    labels = (
        PupilResult.objects.filter(test=test, school=school)
        .values_list("class_label", flat=True)
        .distinct()
    )
    return sorted(label for label in labels if label)


@dataclass
class Rows:
    """The region's rows of one test as arrays, and masks for the groups."""

    school_id: np.ndarray
    municipality_id: np.ndarray
    class_label: np.ndarray
    primary: np.ndarray
    mark: np.ndarray
    journal: np.ndarray
    scores: np.ndarray | None


def load_rows(test: Test, region: Region, *, with_scores: bool = False) -> Rows:
    schools = dict(
        School.objects.filter(municipality__region=region).values_list("pk", "municipality_id")
    )
    fields = ["school_id", "class_label", "primary_score", "mark", "journal_mark"]
    if with_scores:
        fields.append("scores")
    values = list(
        PupilResult.objects.filter(test=test, school_id__in=list(schools)).values_list(*fields)
    )
    n = len(values)
    columns = list(zip(*values, strict=True)) if values else [()] * len(fields)
    school_id = np.fromiter(columns[0], np.int64, n)
    k = test.tasks.count()
    return Rows(
        school_id=school_id,
        municipality_id=np.fromiter((schools[s] for s in columns[0]), np.int64, n),
        class_label=np.array(columns[1], dtype=object),
        primary=np.fromiter(columns[2], np.int16, n),
        mark=np.fromiter(columns[3], np.int16, n),
        journal=np.fromiter(columns[4], np.int16, n),
        scores=(np.array(columns[5], dtype=np.int16).reshape(n, k) if with_scores else None),
    )


def _groups(scope: ReportScope, rows: Rows) -> list[tuple[str, str, np.ndarray]]:
    """(level, label, mask) from the widest group to the narrowest."""
    groups = [
        ("region", f"Регион: {scope.region.name}", np.ones(rows.school_id.size, dtype=bool)),
        (
            "municipality",
            f"Муниципалитет: {scope.municipality.name}",
            rows.municipality_id == scope.municipality.pk,
        ),
    ]
    if scope.school is not None:
        in_school = rows.school_id == scope.school.pk
        groups.append(("school", f"ОО: {scope.school.display_name}", in_school))
        if scope.class_label:
            groups.append(
                (
                    "class",
                    f"Класс {scope.class_label}",
                    in_school & (rows.class_label == scope.class_label),
                )
            )
    return groups


def _school_masks(scope: ReportScope, rows: Rows) -> list[tuple[School, np.ndarray]]:
    return [(school, rows.school_id == school.pk) for school in scope.schools]


def _base(kind: str, scope: ReportScope) -> dict[str, Any]:
    return {"kind": kind, "title": REPORT_TITLES[kind], **scope.as_dict(), "notes": []}


def _group_entry(level: str, label: str, n: int) -> dict[str, Any]:
    return {"level": level, "level_label": LEVEL_LABELS[level], "label": label, "n": n,
            "sample_note": st.sample_note(n)}  # fmt: skip


def marks_report(scope: ReportScope) -> dict[str, Any]:
    test = scope.test
    rows = load_rows(test, scope.region)
    report = _base("marks", scope)
    report["groups"] = [
        {**_group_entry(level, label, int(mask.sum())),
         **st.mark_stats(rows.mark[mask], rows.primary[mask], test.max_score).as_dict()}
        for level, label, mask in _groups(scope, rows)
    ]  # fmt: skip
    report["schools"] = [
        {"id": school.pk, "login": school.login, "name": school.display_name,
         **st.mark_stats(rows.mark[mask], rows.primary[mask], test.max_score).as_dict()}
        for school, mask in _school_masks(scope, rows)
        if mask.any()
    ]  # fmt: skip
    return report


def journal_report(scope: ReportScope) -> dict[str, Any]:
    rows = load_rows(scope.test, scope.region)
    report = _base("journal", scope)
    report["groups"] = [
        {**_group_entry(level, label, int(mask.sum())),
         **st.journal_stats(rows.mark[mask], rows.journal[mask]).as_dict()}
        for level, label, mask in _groups(scope, rows)
    ]  # fmt: skip
    report["schools"] = [
        {"id": school.pk, "login": school.login, "name": school.display_name,
         **st.journal_stats(rows.mark[mask], rows.journal[mask]).as_dict()}
        for school, mask in _school_masks(scope, rows)
        if mask.any()
    ]  # fmt: skip
    report["notes"].append(
        "Понизили — отметка за ВПР ниже отметки по журналу, повысили — выше. Доли считаются "
        "от участников, у которых есть отметка по журналу. Расхождение на 2 балла и более "
        "ФИОКО рекомендует разбирать отдельно."
    )
    return report


def histogram_report(scope: ReportScope) -> dict[str, Any]:
    test = scope.test
    rows = load_rows(test, scope.region)
    report = _base("histogram", scope)
    report["bins"] = list(range(test.max_score + 1))
    report["cuts"] = {"3": test.cut_3, "4": test.cut_4, "5": test.cut_5}
    groups = []
    for level, label, mask in _groups(scope, rows):
        counts, shares = st.score_distribution(rows.primary[mask], test.max_score)
        groups.append(
            {**_group_entry(level, label, int(mask.sum())), "counts": counts, "shares": shares}
        )
    report["groups"] = groups
    report["notes"].append(
        "Пики на границах отметок (у баллов, с которых начинается «3», «4» или «5») — "
        "возможный признак необъективности, требующий дальнейшего анализа (ФИОКО, 2026)."
    )
    return report


def tasks_report(scope: ReportScope) -> dict[str, Any]:
    test = scope.test
    tasks = list(test.tasks.all())
    maxima = np.array([t.max_score for t in tasks], dtype=np.int64)
    rows = load_rows(test, scope.region, with_scores=True)
    report = _base("tasks", scope)
    groups = _groups(scope, rows)
    success = {level: st.task_success(rows.scores[mask], maxima) for level, _, mask in groups}
    report["groups"] = [
        _group_entry(level, label, int(mask.sum())) for level, label, mask in groups
    ]
    focus = groups[-1][0]
    report["tasks"] = [
        {
            "number": task.number,
            "level": task.level,
            "max_score": task.max_score,
            "threshold": st.TASK_THRESHOLDS.get(task.level),
            "success": {level: values[j] for level, values in success.items()},
            "verdict": st.task_verdict(success[focus][j], task.level),
        }
        for j, task in enumerate(tasks)
    ]
    report["schools"] = [
        {"id": school.pk, "login": school.login, "name": school.display_name,
         "n": int(mask.sum()), "success": st.task_success(rows.scores[mask], maxima)}
        for school, mask in _school_masks(scope, rows)
        if mask.any()
    ]  # fmt: skip
    report["notes"].append(
        "ФИОКО (2026): задание базового уровня (Б) считается освоенным при выполнении от "
        "60 %, повышенного (П) — от 30 % (зона неопределённости ±3 и ±1,5 п. п.)."
    )
    return report


def dynamics_report(scope: ReportScope) -> dict[str, Any]:
    """Shares of marks over the years for the same subject and grade."""
    test = scope.test
    tests = list(
        Test.objects.filter(
            subject__iexact=test.subject,
            grade=test.grade,
            pk__in=ResultSlot.objects.filter(current__isnull=False).values("test_id"),
        ).order_by("year", "session")
    )
    report = _base("dynamics", scope)
    report["years"] = [
        f"{t.year}" if t.session == "spring" else f"{t.year} ({t.get_session_display()})"
        for t in tests
    ]
    report["tests"] = [test_info(t) for t in tests]
    series: dict[str, dict[str, Any]] = {}
    for t in tests:
        rows = load_rows(t, scope.region)
        for level, label, mask in _groups(scope, rows):
            entry = series.setdefault(level, {**_group_entry(level, label, 0), "points": []})
            stats = st.mark_stats(rows.mark[mask], rows.primary[mask], t.max_score)
            entry["points"].append(
                {"n": stats.n, "share_2": stats.shares[2], "quality": stats.quality,
                 "mean_percent": stats.mean_percent}
            )  # fmt: skip
    report["groups"] = list(series.values())
    for group in report["groups"]:
        group["n"] = sum(p["n"] for p in group["points"])
        group["negative"] = _negative_dynamics(group["points"], report["years"])
    report["notes"].append(
        "ФИОКО (2026): рост доли «2» на 10 п. п. и более — отрицательная динамика. Шкалы и "
        "задания разных лет различаются: сравнивайте доли отметок, а не баллы."
    )
    return report


def _negative_dynamics(points: list[dict], years: list[str]) -> list[str]:
    flags = []
    for previous, current, year in zip(points, points[1:], years[1:], strict=False):
        if previous["n"] and current["n"] and previous["share_2"] is not None:
            rise = (current["share_2"] or 0.0) - previous["share_2"]
            if rise >= st.NEGATIVE_DYNAMICS_PP:
                flags.append(f"{year}: доля «2» выросла на {number(rise)} п. п.")
    return flags


BUILDERS = {
    "marks": marks_report,
    "journal": journal_report,
    "histogram": histogram_report,
    "tasks": tasks_report,
    "dynamics": dynamics_report,
}


def build_report(kind: str, scope: ReportScope) -> dict[str, Any]:
    if kind not in BUILDERS:
        raise Http404("Нет такого отчёта")
    return BUILDERS[kind](scope)

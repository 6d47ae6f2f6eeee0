"""Scoped reads of the stored signs: pages, exports and the API read these only."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet

from results.models import (
    IndicatorSnapshot,
    SchoolTestIndicator,
    SchoolYearIndicator,
    YearIndicatorRun,
)
from schools.models import School
from vpr_portal import roles

SIGN_TITLES = {
    "a": "Аномально высокие результаты",
    "b": "Расхождение с отметками по журналу",
    "c": "«Подтягивание» к границам отметок",
    "d": "Падение результатов выпуска (4 → 5 класс)",
    "e": "Расхождение с перепроверкой",
    "f": "Разница классов с наблюдателем и без",
    "g": "Обратный профиль заданий",
    "h": "Отметки не по шкале",
}


def indicators_for_user(user: Any) -> QuerySet[SchoolTestIndicator]:
    """Rows of the schools the user may see (coordinators: their school only)."""
    return SchoolTestIndicator.objects.filter(
        school__in=roles.visible_schools(user)
    ).select_related("school__municipality", "test")


def strength_class(strength: float) -> str:
    """CSS class of a row by strength (sign-strong / sign-medium / sign-weak)."""
    if strength >= 6:
        return "sign-strong"
    if strength >= 3:
        return "sign-medium"
    if strength > 0:
        return "sign-weak"
    return ""


def years_with_signs(user: Any) -> list[int]:
    return list(
        indicators_for_user(user).order_by("-year").values_list("year", flat=True).distinct()
    )


def municipality_counts(user: Any, year: int) -> list[dict[str, Any]]:
    """Per municipality: schools with results, schools with signs, their share."""
    rows = (
        SchoolYearIndicator.objects.filter(year=year, school__in=roles.visible_schools(user))
        .values("school__municipality__name")
        .annotate(schools=Count("pk"), flagged=Count("pk", filter=Q(n_flagged__gt=0)))
        .order_by("school__municipality__name")
    )
    return [
        {
            "name": r["school__municipality__name"],
            "schools": r["schools"],
            "flagged": r["flagged"],
            "share": 100 * r["flagged"] / r["schools"] if r["schools"] else 0.0,
        }
        for r in rows
    ]


def share_trend(user: Any) -> list[tuple[int, float]]:
    """(year, % of schools with signs) over the years stored, for the user's scope."""
    rows = (
        SchoolYearIndicator.objects.filter(school__in=roles.visible_schools(user))
        .values("year")
        .annotate(schools=Count("pk"), flagged=Count("pk", filter=Q(n_flagged__gt=0)))
        .order_by("year")
    )
    return [(r["year"], 100 * r["flagged"] / r["schools"]) for r in rows if r["schools"]]


class QValues:
    """BH-adjusted q-values of stored rows, looked up on read in the year's BH curve.

    ``QValues()(row)`` → {letter: q} of the row's tested signs (as the decision computed
    them, rounded to 8 digits). One query per region × year and per snapshot, cached in
    the instance: make one per page or request."""

    def __init__(self) -> None:
        self._regions: dict[int, int] = {}
        self._curves: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def _curve(self, row: SchoolTestIndicator) -> tuple[np.ndarray, np.ndarray]:
        region_id = self._regions.get(row.snapshot_id)
        if region_id is None:
            region_id = (
                IndicatorSnapshot.objects.filter(pk=row.snapshot_id)
                .values_list("region_id", flat=True)
                .first()
            )
            self._regions[row.snapshot_id] = region_id
        key = (region_id, row.year)
        if key not in self._curves:
            raw = (
                YearIndicatorRun.objects.filter(region_id=region_id, year=row.year)
                .values_list("bh_curve", flat=True)
                .first()
            )
            values = np.frombuffer(bytes(raw or b""), dtype="<f8")
            m = len(values) // 2
            self._curves[key] = (values[:m], values[m:])
        return self._curves[key]

    def __call__(self, row: SchoolTestIndicator) -> dict[str, float]:
        p_sorted, q_sorted = self._curve(row)
        out: dict[str, float] = {}
        for letter, (p, _material) in sorted((row.tested or {}).items()):
            if p is None or not len(p_sorted):
                continue
            i = int(np.searchsorted(p_sorted, p, side="right")) - 1
            if i >= 0 and p_sorted[i] == p:  # ties share one q: the last tie's is exact
                out[letter] = round(float(q_sorted[i]), 8)
        return out


def school_rows(school: School, year: int) -> QuerySet[SchoolTestIndicator]:
    """The card's rows; the caller has already fetched ``school`` through a scoped getter."""
    return (
        SchoolTestIndicator.objects.filter(school=school, year=year)
        .select_related("test")
        .order_by("test__grade", "test__subject")
    )


def sign_summary(row: SchoolTestIndicator) -> dict[str, dict[str, float | None]]:
    """{letter: {p, effect}} of the applicable signs (the export's and the API's shape).

    Sign h has no p-value (it counts marks); its p is null and its effect the count.
    """
    out: dict[str, dict[str, float | None]] = {}
    for letter, sign in sorted(row.signs.items()):
        if not sign.get("applicable"):
            continue
        out[letter] = {"p": sign.get("p"), "effect": sign.get("effect")}
    return out


def export_records(rows: QuerySet[SchoolTestIndicator]) -> list[dict[str, Any]]:
    """The JSON of ``export_signs``: one record per school × test with results."""
    return [
        {
            "school": row.school.login,
            "subject": row.test.subject,
            "grade": row.test.grade,
            "n": row.n_pupils,
            "signs": sign_summary(row),
            "flagged": row.flagged,
            "strength": row.strength,
        }
        for row in rows.select_related("school", "test").order_by(
            "school__login", "test__grade", "test__subject"
        )
    ]

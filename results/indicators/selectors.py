"""Scoped reads of the stored signs: pages, exports and the API read these only."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, F, Q, QuerySet

from results.indicators.services.evaluation import finite_json, sign_json
from results.models import (
    IndicatorSnapshot,
    SchoolTestIndicator,
    SchoolYearIndicator,
    YearIndicatorRun,
)
from results.objectivity import DecisionParams, SignTable
from schools import roles
from schools.models import School

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


@dataclass(frozen=True)
class _StoredTables:
    params: DecisionParams
    index: dict[int, int]  # school id → position in the columns
    tables: dict[str, SignTable]
    #: Schools evaluated after an upload against the references of the last full pass.
    reevaluated: frozenset[int] = frozenset()


#: The tables of the last few snapshots read in this process (a card reads its school's
#: tests, an API page several schools' of the same tests). Keyed by id and input hash: a
#: recomputed snapshot is a new row. One entry holds ≈ 11 MB for 1,500 schools
#: (measured), so a web process keeps at most ≈ 90 MB of them.
_TABLES_CACHE: OrderedDict[tuple[int, str], _StoredTables | None] = OrderedDict()
_TABLES_CACHE_SIZE = 8
_tables_lock = threading.Lock()


def _stored_tables(snapshot_id: int, input_hash: str | None = None) -> _StoredTables | None:
    """The snapshot's tables, cached by id and input hash (read here unless given)."""
    if input_hash is None:
        head = IndicatorSnapshot.objects.filter(pk=snapshot_id).values_list("input_hash").first()
        if head is None:
            return None
        input_hash = head[0]
    key = (snapshot_id, input_hash)
    with _tables_lock:
        if key in _TABLES_CACHE:
            _TABLES_CACHE.move_to_end(key)
            return _TABLES_CACHE[key]
    data = IndicatorSnapshot.objects.filter(pk=snapshot_id).values_list("tables", flat=True).first()
    stored = None
    if data:
        stored = _StoredTables(
            params=DecisionParams(**data["params"]),
            index={int(s): i for i, s in enumerate(data["school_ids"])},
            tables={k: SignTable.from_json(v) for k, v in data["tables"].items()},
            reevaluated=frozenset(int(s) for s in data.get("reevaluated", ())),
        )
    with _tables_lock:
        _TABLES_CACHE[key] = stored
        while len(_TABLES_CACHE) > _TABLES_CACHE_SIZE:
            _TABLES_CACHE.popitem(last=False)
    return stored


def signs_with_evidence(row: SchoolTestIndicator) -> dict[str, dict[str, Any]]:
    """The row's signs in full: {letter: {applicable, reason, effect, p, score, evidence}}.

    Rows keep the numbers of the vectorised signs only; their evidence (counts, expected
    counts, chart data, the sentence in Russian) is built here from the snapshot's tables
    with the levels the computation used. Signs stored in full are returned as stored."""
    signs = row.signs or {}
    missing = [letter for letter, sign in signs.items() if "evidence" not in sign]
    if not missing:
        return signs
    stored = _stored_tables(row.snapshot_id, getattr(row, "snapshot_hash", None))
    out = dict(signs)
    for letter in missing:
        table = stored.tables.get(letter) if stored else None
        position = stored.index.get(row.school_id) if stored else None
        if table is None or position is None:
            out[letter] = {**signs[letter], "evidence": {}}
            continue
        out[letter] = finite_json(sign_json(table.result(position, stored.params)))
    return out


def evaluated_against_last_full_pass(row: SchoolTestIndicator) -> bool:
    """Whether the row's school was evaluated after an upload against the region's
    references of the test's last full evaluation (until the next full pass refits them)."""
    if getattr(row, "snapshot_reevaluated", None) == 0:
        return False  # a full evaluation: nothing to read
    stored = _stored_tables(row.snapshot_id, getattr(row, "snapshot_hash", None))
    return stored is not None and row.school_id in stored.reevaluated


def school_rows(school: School, year: int) -> QuerySet[SchoolTestIndicator]:
    """The card's rows; the caller has already fetched ``school`` through a scoped getter."""
    # The snapshot's hash and re-evaluated pupils come with the rows, so that reading each
    # row's evidence from the cached tables costs no query per row.
    return (
        SchoolTestIndicator.objects.filter(school=school, year=year)
        .select_related("test")
        .annotate(
            snapshot_hash=F("snapshot__input_hash"),
            snapshot_reevaluated=F("snapshot__reevaluated_pupils"),
        )
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


DASHBOARD_SORTS = {
    "strength": ["-flagged", "-strength", "school__login"],
    "school": ["school__login", "test__grade", "test__subject"],
    "municipality": ["school__municipality__name", "school__login"],
    "n": ["-n_pupils", "school__login"],
}


def dashboard_page(*, user: Any, year: int, filters: dict[str, Any]) -> dict[str, Any]:
    """What the municipal dashboard shows for a year: the filtered table of rows (first
    1,000), the counts per municipality, the yearly share of flagged schools (``trend``,
    drawn by the page) and the filters' choices.

    ``filters``: the cleaned ``IndicatorFilterForm`` (municipality, test, only_flagged, sort).
    """
    rows = indicators_for_user(user).filter(year=year)
    if filters.get("municipality"):
        rows = rows.filter(school__municipality__name=filters["municipality"])
    if filters.get("test"):
        rows = rows.filter(test_id=filters["test"]) if filters["test"].isdigit() else rows.none()
    if filters.get("only_flagged"):
        rows = rows.filter(flagged=True)
    sort = DASHBOARD_SORTS.get(filters.get("sort") or "strength", DASHBOARD_SORTS["strength"])
    rows = rows.order_by(*sort)
    table = [
        {
            "row": row,
            "css": strength_class(row.strength) if row.flagged else "",
            "signs": [(letter, SIGN_TITLES.get(letter, letter)) for letter in row.surviving],
        }
        for row in rows.defer("signs")[:1000]
    ]
    tests = (
        indicators_for_user(user)
        .filter(year=year)
        .values_list("test_id", "test__grade", "test__subject")
        .distinct()
        .order_by("test__grade", "test__subject")
    )
    return {
        "year": year,
        "years": years_with_signs(user),
        "table": table,
        "counts": municipality_counts(user, year),
        "trend": share_trend(user),
        "tests": list(tests),
        "municipalities": list(roles.visible_municipalities(user)),
        "sign_titles": SIGN_TITLES,
    }


def school_years_with_signs(*, user: Any, school: School) -> list[int]:
    """Years with stored rows of the school that the user may see, newest first."""
    return list(
        indicators_for_user(user)
        .filter(school=school)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def school_card_tests(*, school: School, year: int) -> list[dict[str, Any]]:
    """The school's card for a year: per test its row, the applicable signs with their
    evidence summary, p and q values, and the evidence a chart is drawn from by the page
    (``charted``: the surviving signs and c, b, g)."""
    tests = []
    q_lookup = QValues()
    for row in school_rows(school, year):
        q_values = q_lookup(row)
        signs = []
        for letter, sign in sorted(signs_with_evidence(row).items()):
            if not sign.get("applicable"):
                continue
            evidence = sign.get("evidence") or {}
            signs.append(
                {
                    "letter": letter,
                    "title": SIGN_TITLES.get(letter, letter),
                    "survives": letter in row.surviving,
                    "summary": evidence.get("summary_ru", ""),
                    "p": sign.get("p"),
                    "q": q_values.get(letter),
                    "evidence": evidence,
                    "charted": letter in row.surviving or letter in ("c", "b", "g"),
                }
            )
        tests.append(
            {
                "row": row,
                "css": strength_class(row.strength) if row.flagged else "",
                "signs": signs,
                "provisional": evaluated_against_last_full_pass(row),
            }
        )
    return tests

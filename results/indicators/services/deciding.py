"""The year-wide decision over the new tests' numbers and the stored rows' numbers."""

from __future__ import annotations

import functools
import json
import time

import numpy as np
import orjson
from django.db import connection, transaction
from django.utils import timezone

from results.models import (
    IndicatorSnapshot,
    SchoolTestIndicator,
    YearIndicatorRun,
)
from results.objectivity import (
    DecisionParams,
    SchoolTestResult,
    SignResult,
    decide_tested,
)
from schools.models import Region

from .evaluation import EvaluatedTest
from .inputs import input_digest
from .storage import (
    store_evaluated,
    store_partial,
    store_school_years,
    update_decisions,
    write_bytea_column,
)

# --- the year-wide decision -----------------------------------------------------------------


def result_from_stored_row(row: tuple) -> SchoolTestResult:
    """A stored decision row as a ``SchoolTestResult`` with only what the decision rule reads
    (each tested sign's p-value and whether its effect is material)."""
    pk, test_id, _, n_pupils, is_selective, tested = row[:6]
    signs = {
        letter: SignResult(letter, True, None, None, p, None, {"effect_is_material": material})
        for letter, (p, material) in tested.items()
    }
    return SchoolTestResult(str(test_id), pk, n_pupils, is_selective, signs)


def _stored_decision_rows(region: Region, year: int, exclude_tests: list[int]) -> list[tuple]:
    """(pk, test id, school id, is_selective, tested, flagged, strength, surviving text,
    annotations text) of the region's stored rows of the year, by one plain query: the
    ORM's per-row machinery cost more than the decision itself. The two lists stay JSON
    text (compared as text with ``_list_text``); only ``tested`` is parsed."""
    rows = SchoolTestIndicator.objects.filter(snapshot__region=region, year=year).exclude(
        test_id__in=exclude_tests
    )
    columns = ("pk", "test_id", "school_id", "is_selective", "tested", "flagged", "strength",
               "surviving", "annotations")  # fmt: skip
    sql, params = rows.values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    loads = orjson.loads
    return [
        (r[0], r[1], r[2], bool(r[3]), loads(r[4]), bool(r[5]), float(r[6]), r[7], r[8])
        for r in fetched
    ]


@functools.lru_cache(maxsize=1024)
def _list_text(values: tuple[str, ...]) -> str:
    """A list of letters or codes as both backends give JSON text back: «["a", "c"]»
    (a handful of distinct lists per year: cached)."""
    return json.dumps(list(values)) if values else "[]"


def decide_region_year(
    *,
    region: Region,
    year: int,
    params: DecisionParams,
    evaluated: list[EvaluatedTest] = (),
    stages: dict[str, float] | None = None,
) -> tuple[int, int]:
    """BH across the year's p-values and the decision rule; returns (rows, flagged).

    ``evaluated`` are tests just evaluated in memory: they are decided together with the
    stored rows of the other tests (read as p-values only, never the evidence), then
    written once, decisions included. Of the stored rows only those whose decision
    changed are updated. ``stages`` (when given) accumulates the seconds of each step.
    """
    clock = _StageClock(stages)
    stored = _stored_decision_rows(
        region, year, [e.inputs.test.pk for e in evaluated if e.partial is None]
    )
    # Of a partly evaluated test, only the evaluated and the withdrawn schools' rows go.
    replaced = {
        (e.inputs.test.pk, school_id)
        for e in evaluated
        if e.partial is not None
        for school_id in (*e.school_ids, *e.partial.removed)
    }
    if replaced:
        stored = [row for row in stored if (row[1], row[2]) not in replaced]
    clock.lap("read_stored")
    decisions, p_sorted, q_sorted = decide_tested(
        [row[4] for row in stored] + [t for e in evaluated for t in e.tested],
        [row[3] for row in stored] + [x for e in evaluated for x in e.is_selective],
        params,
    )
    curve = np.concatenate([p_sorted, q_sorted]).astype("<f8").tobytes()
    stored_decisions, fresh_decisions = decisions[: len(stored)], decisions[len(stored) :]
    # Only the stored rows whose decision changed are written: with the q-values out of
    # the rows, one school's upload changes a handful of them (the flagged rows' strength
    # and the rows crossing the BH cut-off), not every row of the year.
    changed = [
        (row[0], d[0], d[1], list(d[2]), list(d[3]))
        for row, d in zip(stored, stored_decisions, strict=True)
        if (d[0], d[1], _list_text(d[2]), _list_text(d[3])) != row[5:9]
    ]
    # Per school: (test, flagged, strength) of every row of the year, for the summary.
    outcomes = [
        (row[2], row[1], d[0], d[1]) for row, d in zip(stored, stored_decisions, strict=True)
    ]
    clock.lap("decide")
    with transaction.atomic():
        start = 0
        for e in evaluated:
            own = fresh_decisions[start : start + len(e.school_ids)]
            start += len(e.school_ids)
            (store_evaluated if e.partial is None else store_partial)(e, own, params)
            outcomes += [
                (school_id, e.inputs.test.pk, d[0], d[1])
                for school_id, d in zip(e.school_ids, own, strict=True)
            ]
        clock.lap("store_rows")
        update_decisions(changed)
        clock.lap("update_changed")
        store_school_years(region=region, year=year, outcomes=outcomes)
        clock.lap("school_years")
        flagged = sum(d[0] for d in decisions)
        fields = {
            "input_hash": year_inputs_hash(region, year),
            "n_results": len(decisions),
            "n_flagged": flagged,
            "fdr_level": params.fdr_level,
        }
        # An UPDATE, and an INSERT only the first time (update_or_create would lock and
        # read the row first).
        runs = YearIndicatorRun.objects.filter(region=region, year=year)
        if not runs.update(**fields, computed_at=timezone.now()):
            YearIndicatorRun.objects.create(region=region, year=year, **fields)
        write_bytea_column(
            YearIndicatorRun, runs.values_list("pk", flat=True).get(), "bh_curve", curve
        )
    clock.lap("year_run")
    return len(decisions), flagged


def year_inputs_hash(region: Region, year: int) -> str:
    """Digest of the input hashes of the region's snapshots of the year: the year's
    decision is current when its run was made from exactly these snapshots."""
    return input_digest(
        sorted(
            IndicatorSnapshot.objects.filter(region=region, test__year=year).values_list(
                "input_hash", flat=True
            )
        )
    )


class _StageClock:
    """Adds the seconds since the last lap to ``stages[name]`` (nothing when None)."""

    def __init__(self, stages: dict[str, float] | None) -> None:
        self.stages = stages
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.stages is not None:
            self.stages[name] = self.stages.get(name, 0.0) + now - self.last
        self.last = now

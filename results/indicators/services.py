"""Computing and storing the signs of non-objective results.

``compute_indicators(year=…)`` is the one entry point (CLI, jobs, nightly beat, the upload
hook). For each region with results that year:

1. per test, the hash of its inputs (scale and tasks, each school's current result version,
   grade 5 of the next year for sign d, the observed classes, the settings) is compared
   with the stored snapshot; only a test whose hash changed is fetched and evaluated
   (``evaluate_test_tables`` over the whole region: the references are region-wide); the
   vectorised signs are stored as the snapshot's tables, each school's row holds the
   numbers (its evidence is built from the tables when its card is read);
2. the year-wide decision (Benjamini–Hochberg across every test of the year, then the
   decision rule) runs over the stored p-values only — a few thousand numbers, no pupil
   rows — and only the rows whose decision changed are written;
3. the per-school year summary (markers per test, as the official lists count them).

Why always the whole region, even with ``municipality``: the reference distributions and
the BH correction are region-wide, so a municipality's answer depends on every other
school. ``municipality`` picks the region and narrows the returned summary (what the CLI
prints and the job reports); thanks to the snapshots the rest of the region costs only a
hash comparison when nothing changed there.
"""

from __future__ import annotations

import hashlib
import json
import math
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
from django import db
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q

from results.indicators import arrays as array_selectors
from results.models import (
    IndicatorSettings,
    IndicatorSnapshot,
    ResultSlot,
    SchoolTestIndicator,
    SchoolYearIndicator,
    Test,
    Upload,
    YearIndicatorRun,
    json_bytes,
)
from results.objectivity import (
    REASON_TOO_FEW,
    DecisionParams,
    SchoolTestResult,
    SignResult,
    cohort_drop,
    decide_tested,
    evaluate_test_tables,
)
from results.objectivity.batch import TestEvaluation
from results.objectivity.datatypes import gc_paused
from schools.models import Municipality, Region, SchoolType
from vpr_portal.jobs import JobReporter, UserFacingError, run_job_body
from vpr_portal.models import Job

SELECTIVE_TYPES = (SchoolType.LYCEUM, SchoolType.GYMNASIUM)
#: Bumped when the stored layout or the statistics change, so old snapshots go stale.
ALGORITHM_VERSION = "2"


@dataclass
class ComputeSummary:
    """What one ``compute_indicators`` call did (the CLI prints it, the job stores it)."""

    year: int
    tests_evaluated: int = 0
    tests_reused: int = 0
    results: int = 0
    flagged: int = 0
    schools_with_signs: int = 0
    seconds: float = 0.0
    municipality: str | None = None
    stages: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "municipality": self.municipality,
            "tests_evaluated": self.tests_evaluated,
            "tests_reused": self.tests_reused,
            "results": self.results,
            "flagged": self.flagged,
            "schools_with_signs": self.schools_with_signs,
            "seconds": round(self.seconds, 3),
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
        }

    def message_ru(self) -> str:
        scope = f" ({self.municipality})" if self.municipality else ""
        return (
            f"Признаки за {self.year} год{scope}: ОО × работ — {self.results}, с признаками — "
            f"{self.flagged}, ОО с признаками — {self.schools_with_signs}. Пересчитано работ: "
            f"{self.tests_evaluated}, без изменений: {self.tests_reused}."
        )


def decision_params() -> DecisionParams:
    """The decision rule's levels from the admin row (defaults from settings)."""
    return DecisionParams(**IndicatorSettings.load().as_params())


# --- inputs and their hash ------------------------------------------------------------------


def _regions(year: int, municipality: Municipality | None) -> list[Region]:
    if municipality is not None:
        return [municipality.region]
    return list(
        Region.objects.filter(
            municipalities__schools__result_slots__test__year=year,
            municipalities__schools__result_slots__current__isnull=False,
        ).distinct()
    )


def _current_slots(test: Test, region: Region) -> list[tuple[int, int, str]]:
    """(school id, current version id, school type) of the region's schools in a test."""
    return list(
        ResultSlot.objects.filter(
            test=test, current__isnull=False, school__municipality__region=region
        )
        .order_by("school_id")
        .values_list("school_id", "current_id", "school__school_type")
    )


def _next_year_grade5(test: Test) -> Test | None:
    """The same subject in grade 5 a year later: the other half of sign d."""
    if test.grade != 4:
        return None
    return Test.objects.filter(
        year=test.year + 1, session=test.session, subject__iexact=test.subject, grade=5
    ).first()


def _observed_classes(test: Test, school_ids: list[int]) -> dict[tuple[int, str], bool]:
    """{(school id, class label): observed} for sign f, from the observers app's read."""
    try:
        from observers.selectors import observed_class_results_keys
    except ImportError:  # the observers app is optional for this computation
        return {}
    # By test only, then the region's schools here: an IN of 1,500 ids cost more to
    # build than the test's whole schedule costs to read.
    wanted = set(school_ids)
    keys = observed_class_results_keys(test_ids=[test.pk])
    return {(k.school_id, k.class_label): k.observed for k in keys if k.school_id in wanted}


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class TestInputs:
    test: Test
    region: Region
    slots: list[tuple[int, int, str]]
    next_test: Test | None
    next_slots: list[tuple[int, int, str]]
    observed: dict[tuple[int, str], bool]
    input_hash: str


def test_inputs(test: Test, region: Region, params: DecisionParams) -> TestInputs:
    slots = _current_slots(test, region)
    next_test = _next_year_grade5(test)
    next_slots = _current_slots(next_test, region) if next_test else []
    observed = _observed_classes(test, [s for s, _, _ in slots])
    tasks = list(test.tasks.order_by("position").values_list("number", "max_score", "level"))
    payload = {
        "algorithm": ALGORITHM_VERSION,
        "test": [test.pk, test.max_score, list(test.cuts), tasks],
        "params": params.__dict__,
        "slots": slots,
        "next": [next_test.pk if next_test else None, [v for _, v, _ in next_slots]],
        "observed": sorted([*k, v] for k, v in observed.items()),
    }
    return TestInputs(test, region, slots, next_test, next_slots, observed, _digest(payload))


# --- evaluation of one test -----------------------------------------------------------------


def _finite(value: Any) -> Any:
    """JSON without NaN/inf (PostgreSQL's jsonb refuses them): those become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def sign_json(sign: SignResult) -> dict[str, Any]:
    return {
        "applicable": sign.applicable,
        "reason": sign.reason,
        "effect": sign.effect,
        "p": sign.p_value,
        "score": sign.score,
        "evidence": sign.evidence,
    }


def _tested_json(signs: dict[str, SignResult]) -> dict[str, list]:
    """The few numbers the year-wide decision needs, so it never reads the evidence."""
    tested = {}
    for letter, sign in signs.items():
        if not sign.applicable:
            continue
        p = sign.p_value
        if p is not None and math.isnan(p):  # not tested
            p = None
        tested[letter] = [p, bool(sign.evidence.get("effect_is_material", p is not None))]
    return tested


def _cohort_signs(inputs: TestInputs, loaded: array_selectors.LoadedTest, params: DecisionParams):
    """Sign d for a grade-4 test: the same schools' grade 5 a year later."""
    if inputs.next_test is None or not inputs.next_slots:
        return {}
    arrays = loaded.arrays
    n4 = np.bincount(arrays.school_idx, minlength=arrays.n_schools)
    sum4 = np.bincount(arrays.school_idx, weights=arrays.primary_score, minlength=arrays.n_schools)
    mean4 = np.divide(
        sum4, n4 * arrays.max_score, out=np.full(arrays.n_schools, np.nan), where=n4 > 0
    )
    next_means = array_selectors.school_means(inputs.next_test, loaded.school_ids.tolist())
    n5 = np.array([next_means.get(int(s), (0, 0.0))[0] for s in loaded.school_ids])
    mean5 = np.array([next_means.get(int(s), (0, math.nan))[1] for s in loaded.school_ids])
    signs = cohort_drop(mean4, n4, mean5, n5, params=params)
    return {i: [sign] for i, sign in enumerate(signs)}


@dataclass
class EvaluatedTest:
    """One test's signs for every school of the region, evaluated but not yet stored.

    Per school (in ``school_ids`` order): its pupils, whether it is selective, its row's
    signs as JSON text (the table signs as numbers only: their evidence stays in
    ``evaluation.tables``, stored with the snapshot) and the numbers the decision reads."""

    inputs: TestInputs
    school_ids: list[int]
    pupils: list[int]
    is_selective: list[bool]
    signs_texts: list[str]
    tested: list[dict[str, list]]
    n_pupils: int
    seconds: float
    evaluation: TestEvaluation | None = None


def _load_test(inputs: TestInputs) -> array_selectors.LoadedTest:
    selective = {s for s, _, kind in inputs.slots if kind in SELECTIVE_TYPES}
    return array_selectors.test_arrays(
        test=inputs.test,
        school_ids=[s for s, _, _ in inputs.slots],
        selective_school_ids=selective,
        observed_classes=inputs.observed or None,
        test_key=str(inputs.test.pk),
        versions={s: v for s, v, _ in inputs.slots},
    )


def _loaded_in_order(
    pending: list[TestInputs],
) -> Iterator[tuple[TestInputs, array_selectors.LoadedTest, float]]:
    """(inputs, arrays, seconds spent loading) of each test, in order.

    On PostgreSQL, outside a transaction, a second thread with its own connection fetches
    the next test while this one evaluates the current: the fetch is mostly the server's
    work (packing the rows), so on two cores it overlaps the numpy work almost entirely.
    Inside a transaction another connection would not see its uncommitted rows, so there
    (the tests) the tests are fetched one after the other, with the same result.
    """
    if len(pending) < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        for inputs in pending:
            t0 = time.perf_counter()
            loaded = _load_test(inputs)
            yield inputs, loaded, time.perf_counter() - t0
        return
    ready: queue.Queue = queue.Queue(maxsize=1)  # at most one test waits in memory
    stop = threading.Event()

    def fetch_all() -> None:
        try:
            for inputs in pending:
                if stop.is_set():
                    return
                t0 = time.perf_counter()
                item = (inputs, _load_test(inputs), time.perf_counter() - t0)
                while not stop.is_set():
                    try:
                        ready.put(item, timeout=0.5)
                        break
                    except queue.Full:
                        continue
        except BaseException as exc:  # handed over to the consuming thread
            ready.put(exc)
        finally:
            db.connections.close_all()  # this thread's connection only

    worker = threading.Thread(target=fetch_all, name="indicators-fetch", daemon=True)
    worker.start()
    try:
        for _ in pending:
            item = ready.get()
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def evaluate_loaded(
    inputs: TestInputs,
    loaded: array_selectors.LoadedTest,
    params: DecisionParams,
    load_seconds: float = 0.0,
) -> EvaluatedTest:
    """Evaluate every sign of one test over the region's arrays (nothing is stored)."""
    started = time.perf_counter()
    evaluation = evaluate_test_tables(loaded.arrays, params)
    signs_texts, tested = _row_payloads(evaluation, _cohort_signs(inputs, loaded, params), params)
    return EvaluatedTest(
        inputs=inputs,
        school_ids=loaded.school_ids.tolist(),
        pupils=evaluation.n_pupils,
        is_selective=evaluation.is_selective,
        signs_texts=signs_texts,
        tested=tested,
        n_pupils=loaded.arrays.n_pupils,
        seconds=load_seconds + time.perf_counter() - started,
        evaluation=evaluation,
    )


def _row_payloads(
    evaluation: TestEvaluation,
    extra: dict[int, list[SignResult]],
    params: DecisionParams,
) -> tuple[list[str], list[dict[str, list]]]:
    """Each school's row: its signs as JSON text and the decision's numbers.

    The table signs are written from their columns (no result object per school); the
    others (f, h, and d from ``extra``) in full, evidence included."""
    columns = []
    for letter, table in evaluation.tables.items():
        numbers = table.numbers(params)
        columns.append((letter, numbers))
    eager = sorted(evaluation.eager.items())
    signs_texts, tested_rows = [], []
    for s in range(evaluation.n_schools):
        signs: dict[str, Any] = {}
        tested: dict[str, list] = {}
        for letter, numbers in columns:
            applicable = numbers.applicable[s]
            p = numbers.p_value[s]
            signs[letter] = {
                "applicable": applicable,
                "reason": None if applicable else REASON_TOO_FEW,
                "effect": numbers.effect[s],
                "p": p,
                "score": numbers.score[s],
            }
            if applicable:
                tested[letter] = [None if p is None or p != p else p, numbers.material[s]]
        sign_results = {letter: results[s] for letter, results in eager}
        for sign in extra.get(s, ()):
            sign_results[sign.sign] = sign
        for letter, sign in sign_results.items():
            signs[letter] = sign_json(sign)
        tested.update(_tested_json(sign_results))
        signs_texts.append(_json_text(dict(sorted(signs.items()))))
        tested_rows.append(tested)
    return signs_texts, tested_rows


_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _json_text(value: Any) -> str:
    """JSON text by orjson (≈ 10× the standard module on the evidence, measured): NaN and
    inf become null as jsonb needs, numpy scalars and arrays are written as numbers."""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:  # a type orjson does not know: the standard module's fallback
        return json.dumps(_finite(value), ensure_ascii=False, default=str)


def snapshot_tables(evaluated: EvaluatedTest, params: DecisionParams) -> dict[str, Any] | None:
    """What the snapshot stores of the table signs (see ``IndicatorSnapshot.tables``)."""
    if evaluated.evaluation is None:
        return None
    return {
        "school_ids": evaluated.school_ids,
        "params": dict(params.__dict__),
        "tables": {
            letter: table.as_json() for letter, table in evaluated.evaluation.tables.items()
        },
    }


Decision = tuple[bool, float, tuple[str, ...], tuple[str, ...]]


def _store_evaluated(
    evaluated: EvaluatedTest,
    decisions: list[Decision],
    params: DecisionParams,
) -> None:
    """Replace the test's snapshot by a new one, its rows written with their decisions."""
    inputs = evaluated.inputs
    test = inputs.test
    # The rows first, in one DELETE: through the snapshot's cascade Django would load
    # every row as an instance (≈ 0.2 s per 1,500).
    SchoolTestIndicator.objects.filter(snapshot__region=inputs.region, test=test).delete()
    # defer: the delete's collector would otherwise read every old snapshot's tables.
    IndicatorSnapshot.objects.filter(region=inputs.region, test=test).defer("tables").delete()
    snapshot = IndicatorSnapshot.objects.create(
        region=inputs.region,
        test=test,
        input_hash=inputs.input_hash,
        n_schools=len(evaluated.school_ids),
        n_pupils=evaluated.n_pupils,
        seconds=evaluated.seconds,
    )
    _write_tables(snapshot.pk, snapshot_tables(evaluated, params))
    rows = []
    for i, (decision, numbers) in enumerate(zip(decisions, evaluated.tested, strict=True)):
        flagged, strength, surviving, annotations = decision
        rows.append(
            (
                snapshot.pk,
                evaluated.school_ids[i],
                test.pk,
                test.year,
                evaluated.pupils[i],
                evaluated.is_selective[i],
                evaluated.pupils[i] < params.min_pupils,
                evaluated.signs_texts[i],
                numbers,
                flagged,
                strength,
                list(surviving),
                list(annotations),
            )
        )
    _insert_rows(rows)


def _write_tables(snapshot_id: int, tables: dict[str, Any] | None) -> None:
    """The snapshot's tables (≈ 2 MB of JSON a test)."""
    if tables is not None:
        _write_bytes(IndicatorSnapshot, snapshot_id, "tables", json_bytes(tables))


def _write_bytes(model: type, pk: int, column: str, value: bytes) -> None:
    """Set one bytea column: on PostgreSQL as a binary parameter of a server-side bound
    statement. Django binds on the client, so bytes travel as a hex literal the server
    parses (a 2.3 MB blob: 65 ms against 14 ms, measured)."""
    if connection.vendor != "postgresql":
        model.objects.filter(pk=pk).update(**{column: value})
        return
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f'UPDATE "{model._meta.db_table}" SET "{column}" = %b WHERE id = %s',  # noqa: S608
            [value, pk],
        )


_INSERT_COLUMNS = (
    "snapshot_id", "school_id", "test_id", "year", "n_pupils", "is_selective", "insufficient",
    "signs", "tested", "flagged", "strength", "surviving", "annotations",
)  # fmt: skip
_JSON_COLUMNS = [_INSERT_COLUMNS.index(c) for c in ("tested", "surviving", "annotations")]


def _insert_rows(rows: list[tuple]) -> None:
    """Store a snapshot's rows (tuples in ``_INSERT_COLUMNS`` order, signs as JSON text).

    On PostgreSQL by COPY: Django's bulk_create sends the JSON as values that psycopg
    quotes in Python (≈ 4 ms a row, measured), COPY takes the text as is."""
    if connection.vendor != "postgresql":
        instances = []
        for row in rows:
            values = dict(zip(_INSERT_COLUMNS, row, strict=True))
            values["signs"] = json.loads(values["signs"])
            instances.append(SchoolTestIndicator(**values))
        SchoolTestIndicator.objects.bulk_create(instances, batch_size=500)
        return
    table = SchoolTestIndicator._meta.db_table
    columns = ", ".join(f'"{c}"' for c in _INSERT_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            row = list(row)
            for i in _JSON_COLUMNS:
                row[i] = _json_text(row[i])
            copy.write_row(row)


def _update_decisions(changed: list[tuple]) -> None:
    """Write the decisions that changed, tuples (pk, flagged, strength, surviving,
    annotations): on PostgreSQL one UPDATE … FROM jsonb_array_elements(…) (bulk_update's
    CASE per row costs ≈ 3 ms a row there), elsewhere bulk_update."""
    if not changed:
        return
    if connection.vendor != "postgresql":
        fields = ["flagged", "strength", "surviving", "annotations"]
        SchoolTestIndicator.objects.bulk_update(
            [SchoolTestIndicator(pk=row[0], **dict(zip(fields, row[1:], strict=True)))
             for row in changed],
            fields,
            batch_size=500,
        )  # fmt: skip
        return
    table = SchoolTestIndicator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE "{table}" AS t SET flagged = (d->>1)::boolean,
                   strength = (d->>2)::float8, surviving = d->3, annotations = d->4
                FROM jsonb_array_elements(%s::jsonb) AS d
                WHERE t.id = (d->>0)::bigint""",  # noqa: S608 (the table name is ours)
            [_json_text(changed)],
        )


# --- the year-wide decision -----------------------------------------------------------------


def _light_result(row: tuple) -> SchoolTestResult:
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


def _list_text(values: tuple[str, ...]) -> str:
    """A list of letters or codes as both backends give JSON text back: «["a", "c"]»."""
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
    stored = _stored_decision_rows(region, year, [e.inputs.test.pk for e in evaluated])
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
            _store_evaluated(e, own, params)
            outcomes += [
                (school_id, e.inputs.test.pk, d[0], d[1])
                for school_id, d in zip(e.school_ids, own, strict=True)
            ]
        clock.lap("store_rows")
        _update_decisions(changed)
        clock.lap("update_changed")
        _store_school_years(region=region, year=year, outcomes=outcomes)
        clock.lap("school_years")
        flagged = sum(d[0] for d in decisions)
        run, _ = YearIndicatorRun.objects.update_or_create(
            region=region,
            year=year,
            defaults={
                "input_hash": _digest(
                    sorted(
                        IndicatorSnapshot.objects.filter(
                            region=region, test__year=year
                        ).values_list("input_hash", flat=True)
                    )
                ),
                "n_results": len(decisions),
                "n_flagged": flagged,
                "fdr_level": params.fdr_level,
            },
        )
        _write_bytes(YearIndicatorRun, run.pk, "bh_curve", curve)
    clock.lap("year_run")
    return len(decisions), flagged


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


def _store_school_years(
    *, region: Region, year: int, outcomes: list[tuple[int, int, bool, float]]
) -> None:
    """One row per school and year: its markers (tests with signs), as the lists count them.

    ``outcomes``: (school id, test id, flagged, strength) of every row of the year. Only
    the schools whose summary changed are rewritten (after one upload: a handful).
    """
    tests = {
        t.pk: t
        for t in Test.objects.filter(pk__in={o[1] for o in outcomes}).only("pk", "subject", "grade")
    }
    order = {pk: (t.grade, t.subject) for pk, t in tests.items()}
    summaries: dict[int, list] = {}  # school: [tests, flagged, markers, strength]
    for school_id, test_id, flagged, strength in sorted(outcomes, key=lambda o: order[o[1]]):
        summary = summaries.get(school_id)
        if summary is None:
            summary = summaries[school_id] = [0, 0, [], 0.0]
        summary[0] += 1
        if flagged:
            summary[1] += 1
            summary[2].append(tests[test_id].short_code)
            summary[3] = round(summary[3] + strength, 4)
    stored = SchoolYearIndicator.objects.filter(year=year, school__municipality__region=region)
    existing = {
        row[0]: list(row[1:])
        for row in stored.values_list("school_id", "n_tests", "n_flagged", "markers", "strength")
    }
    changed = [s for s, summary in summaries.items() if existing.get(s) != summary]
    gone = [s for s in existing if s not in summaries]
    if existing and len(changed) + len(gone) >= len(existing):
        stored.delete()  # most changed: one DELETE, then every school again
        changed = list(summaries)
    elif changed or gone:
        stored.filter(school_id__in=changed + gone).delete()
    rows = [(s, year, *summaries[s][:2], summaries[s][2], summaries[s][3]) for s in changed]
    if connection.vendor != "postgresql":
        SchoolYearIndicator.objects.bulk_create(
            [
                SchoolYearIndicator(school_id=s, year=year, n_tests=n, n_flagged=f,
                                    markers=markers, strength=strength)
                for s, year, n, f, markers, strength in rows
            ],
            batch_size=1000,
        )  # fmt: skip
        return
    # COPY: bulk_create of the region's 1,500 rows took ≈ 0.25 s, this ≈ 10 ms.
    table = SchoolYearIndicator._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f'COPY "{table}" (school_id, year, n_tests, n_flagged, markers, strength) FROM STDIN'
        ) as copy,
    ):
        for s, year_, n, f, markers, strength in rows:
            copy.write_row((s, year_, n, f, _json_text(markers), strength))


# --- entry points ---------------------------------------------------------------------------


def compute_indicators(
    *,
    year: int,
    municipality: Municipality | None = None,
    reporter: JobReporter | None = None,
    tests: Iterable[Test] | None = None,
) -> ComputeSummary:
    """Signs for every school × test of ``year`` in the region(s), stored (see module doc).

    ``tests`` limits the hash checks to those tests (the upload hook passes the uploaded
    one); the decision still covers the whole year.
    """
    # The computation builds ~10⁵ short-lived containers without reference cycles; the
    # cyclic collector's passes over them (and over the process's caches) cost up to a
    # fifth of a recompute. Reference counting frees them; the collector resumes after.
    with gc_paused():
        return _compute_indicators(
            year=year, municipality=municipality, reporter=reporter, tests=tests
        )


def _compute_indicators(
    *,
    year: int,
    municipality: Municipality | None,
    reporter: JobReporter | None,
    tests: Iterable[Test] | None,
) -> ComputeSummary:
    started = time.perf_counter()
    params = decision_params()
    summary = ComputeSummary(year=year, municipality=municipality.name if municipality else None)
    chosen = list(tests) if tests is not None else None
    for region in _regions(year, municipality):
        region_tests = chosen
        if region_tests is None:
            region_tests = list(
                Test.objects.filter(
                    year=year,
                    result_slots__current__isnull=False,
                    result_slots__school__municipality__region=region,
                )
                .distinct()
                .order_by("grade", "subject")
            )
            # Tests whose results are gone leave no stale signs behind.
            IndicatorSnapshot.objects.filter(region=region, test__year=year).exclude(
                test__in=region_tests
            ).defer("tables").delete()
        pending: list[TestInputs] = []
        for test in region_tests:
            t0 = time.perf_counter()
            inputs = test_inputs(test, region, params)
            current = IndicatorSnapshot.objects.filter(
                region=region, test=test, input_hash=inputs.input_hash
            ).exists()
            summary.stages["hash"] = summary.stages.get("hash", 0.0) + time.perf_counter() - t0
            if current:
                summary.tests_reused += 1
            elif not inputs.slots:
                IndicatorSnapshot.objects.filter(region=region, test=test).defer("tables").delete()
            else:
                pending.append(inputs)
        evaluated: list[EvaluatedTest] = []
        t0 = time.perf_counter()
        for i, (inputs, loaded, load_seconds) in enumerate(_loaded_in_order(pending)):
            if reporter is not None:
                reporter.progress(i, len(pending) + 1, f"Работа: {inputs.test}")
            evaluated.append(evaluate_loaded(inputs, loaded, params, load_seconds))
            summary.tests_evaluated += 1
        summary.stages["fetch_and_evaluate"] = summary.stages.get("fetch_and_evaluate", 0.0) + (
            time.perf_counter() - t0
        )
        if reporter is not None:
            reporter.progress(len(pending), len(pending) + 1, "Решение по году (FDR)…")
        t0 = time.perf_counter()
        decide_region_year(
            region=region, year=year, params=params, evaluated=evaluated, stages=summary.stages
        )
        summary.stages["decide_and_store"] = summary.stages.get("decide_and_store", 0.0) + (
            time.perf_counter() - t0
        )
    rows = SchoolTestIndicator.objects.filter(year=year)
    years = SchoolYearIndicator.objects.filter(year=year)
    if municipality is not None:
        rows = rows.filter(school__municipality=municipality)
        years = years.filter(school__municipality=municipality)
    counts = rows.aggregate(n=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)))
    summary.results, summary.flagged = counts["n"], counts["flagged"]
    summary.schools_with_signs = years.filter(n_flagged__gt=0).count()
    summary.seconds = time.perf_counter() - started
    return summary


def years_to_recompute(test: Test) -> list[int]:
    """A test's own year, and the year before for grade 5 (it is sign d's second half)."""
    return [test.year - 1, test.year] if test.grade == 5 else [test.year]


def recompute_after_upload(*, upload_id: int) -> ComputeSummary | None:
    """After an upload is applied: re-evaluate its test (and the test sign d pairs it
    with), then the year's decision. Unchanged tests are reused by their input hash."""
    upload = Upload.objects.select_related("test").filter(pk=upload_id).first()
    if upload is None or upload.test is None:
        return None
    test = upload.test
    summary = None
    for year in years_to_recompute(test):
        if year == test.year:
            tests = [test]
        else:
            previous = Test.objects.filter(
                year=year, session=test.session, subject__iexact=test.subject, grade=4
            ).first()
            tests = [previous] if previous is not None else []
        if not tests or not _regions(year, None):
            continue
        summary = compute_indicators(year=year, tests=tests)
    return summary


def recompute_all_years() -> list[dict[str, Any]]:
    """The nightly full pass: every year with results (cheap where nothing changed)."""
    years = (
        ResultSlot.objects.filter(current__isnull=False)
        .values_list("test__year", flat=True)
        .distinct()
        .order_by("test__year")
    )
    return [compute_indicators(year=year).as_dict() for year in years]


def run_compute_job(*, job_id: int) -> None:
    """The on-demand job from the dashboard: ``params`` = {year, municipality_id}."""
    job = Job.objects.get(pk=job_id)

    def body(reporter: JobReporter) -> dict:
        year = int(job.params["year"])
        municipality = None
        if job.params.get("municipality_id"):
            municipality = Municipality.objects.filter(pk=job.params["municipality_id"]).first()
        if not _regions(year, municipality):
            raise UserFacingError(f"За {year} год результатов нет — считать нечего.")
        summary = compute_indicators(year=year, municipality=municipality, reporter=reporter)
        Job.objects.filter(pk=job_id).update(message=summary.message_ru())
        return summary.as_dict()

    run_job_body(job_id, body)


def default_year() -> int:
    """The latest year with stored signs (pages open on it)."""
    latest = SchoolTestIndicator.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or getattr(settings, "INDICATORS_DEFAULT_YEAR", 2026)

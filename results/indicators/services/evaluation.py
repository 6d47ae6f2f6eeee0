"""Evaluating one test for every school of a region: arrays in, sign tables and row payloads out."""

from __future__ import annotations

import json
import math
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from django import db
from django.db import connection

from results.indicators import arrays as array_selectors
from results.models import json_bytes
from results.objectivity import (
    REASON_TOO_FEW,
    DecisionParams,
    SignResult,
    cohort_drop,
    evaluate_test_tables,
)
from results.objectivity.batch import TestEvaluation

from .inputs import SELECTIVE_TYPES, TestInputs

# --- evaluation of one test -----------------------------------------------------------------


def finite_json(value: Any) -> Any:
    """JSON without NaN/inf (PostgreSQL's jsonb refuses them): those become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
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
    #: Set when only some schools were evaluated, against the snapshot's frozen references
    #: (``incremental``): then ``school_ids`` are those schools and the other rows stay.
    partial: PartialUpdate | None = None


@dataclass
class PartialUpdate:
    """What an evaluation of some schools changes in the test's stored snapshot."""

    snapshot_id: int
    #: The snapshot's input hash when it was read: storing checks it is still the same.
    base_hash: str
    #: Schools that left the test (their rows go).
    removed: list[int]
    #: The snapshot's tables with these schools' columns replaced, appended or removed.
    tables: dict[str, Any]
    n_schools: int
    n_pupils: int
    reevaluated_pupils: int


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


def load_tests_in_order(
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
    signs_texts, tested = school_row_payloads(
        evaluation, _cohort_signs(inputs, loaded, params), params
    )
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


def school_row_payloads(
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
        signs_texts.append(jsonb_text(dict(sorted(signs.items()))))
        tested_rows.append(tested)
    return signs_texts, tested_rows


def jsonb_text(value: Any) -> str:
    """JSON text by orjson (≈ 10× the standard module on the evidence, measured): NaN and
    inf become null as jsonb needs, numpy scalars and arrays are written as numbers."""
    try:
        return json_bytes(value).decode()
    except TypeError:  # a type orjson does not know: the standard module's fallback
        return json.dumps(finite_json(value), ensure_ascii=False, default=str)


def snapshot_tables(evaluated: EvaluatedTest, params: DecisionParams) -> dict[str, Any] | None:
    """What the snapshot stores of the table signs (see ``IndicatorSnapshot.tables``)."""
    if evaluated.evaluation is None:
        return None
    evaluation = evaluated.evaluation
    versions = {s: v for s, v, _ in evaluated.inputs.slots}
    return {
        "school_ids": evaluated.school_ids,
        "params": dict(params.__dict__),
        "tables": {letter: table.as_json() for letter, table in evaluation.tables.items()},
        # What a later upload needs to evaluate its school alone (``incremental``).
        "frame": evaluated.inputs.frame_hash,
        "versions": [versions.get(s) for s in evaluated.school_ids],
        "pupils": evaluated.pupils,
        "reference": evaluation.reference.as_json() if evaluation.reference else None,
    }

"""After an upload: evaluate only the schools whose results changed, against the region's
references frozen at the test's last full evaluation.

One school's upload moves the region's references (its prior, reference pmf, conditional
means, robust nulls) by about its share of the pupils, a few hundredths of a percent in a
region of 1,500 schools. So the upload hook evaluates the changed schools alone against
the stored references (``results.objectivity.references``), splices their columns into
the snapshot's tables and rewrites their rows only; the year's decision then runs over
every row as always. A school whose data did not change would get exactly its stored
numbers this way (tested), so nothing but the changed schools moves.

The frozen references are refitted by the next full evaluation: the nightly pass, the
«Пересчитать» button and the CLI evaluate every snapshot that holds re-evaluated pupils.
An upload falls back to the full evaluation when anything but the schools' result versions
changed (scale, tasks, observers, settings: ``TestInputs.frame_hash``), when sign d pairs
the test with next year's grade 5 (its percentiles are region-wide), or when the pupils
re-evaluated since the last full pass would exceed
``settings.INDICATORS_INCREMENTAL_MAX_SHARE`` of the test's pupils.

Two uploads' jobs may read the same snapshot at once: storing checks that the snapshot's
hash is still the one read (``storage.SnapshotChanged`` otherwise), so the later job rolls
back and starts again from what the earlier one stored.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from django.conf import settings

from results.indicators import arrays as array_selectors
from results.models import IndicatorSnapshot
from results.objectivity import DecisionParams, evaluate_test_tables
from results.objectivity.batch import TestEvaluation
from results.objectivity.references import TestReference

from .evaluation import EvaluatedTest, PartialUpdate, school_row_payloads
from .inputs import SELECTIVE_TYPES, TestInputs


def evaluate_changed_schools(inputs: TestInputs, params: DecisionParams) -> EvaluatedTest | None:
    """The changed schools of ``inputs`` evaluated against the stored snapshot's frozen
    references, with the snapshot's tables spliced; None when the whole test must be
    evaluated instead (see the module docstring)."""
    started = time.perf_counter()
    if inputs.next_slots or not inputs.slots:
        return None
    snapshots = list(
        IndicatorSnapshot.objects.filter(region=inputs.region, test=inputs.test).values_list(
            "pk", "input_hash", "n_pupils", "reevaluated_pupils", "tables"
        )[:2]
    )
    if len(snapshots) != 1:
        return None
    snapshot_id, base_hash, n_pupils, reevaluated, stored = snapshots[0]
    # The frame hash covers the scale, the tasks, the observers, the settings and the
    # algorithm's version: only the schools' result versions may differ.
    if not stored or stored.get("frame") != inputs.frame_hash or not stored.get("reference"):
        return None
    position = {int(s): i for i, s in enumerate(stored["school_ids"])}
    current = {s: v for s, v, _ in inputs.slots}
    changed = sorted(
        s for s, v in current.items() if s not in position or stored["versions"][position[s]] != v
    )
    removed = [s for s in position if s not in current]
    if not changed:  # nothing new to evaluate (withdrawn results: the full evaluation)
        return None
    selective = {s for s, _, kind in inputs.slots if kind in SELECTIVE_TYPES}
    loaded = array_selectors.test_arrays(
        test=inputs.test,
        school_ids=changed,
        selective_school_ids=selective,
        # As in the full evaluation: with observers anywhere in the test, sign f is
        # evaluated (or «нет сравнения») for every school.
        observed_classes=inputs.observed or None,
        test_key=str(inputs.test.pk),
        versions={s: current[s] for s in changed},
        use_cache=False,
    )
    new_pupils = loaded.arrays.n_pupils
    budget = settings.INDICATORS_INCREMENTAL_MAX_SHARE * max(n_pupils, 1)
    if reevaluated + new_pupils > budget:
        return None
    reference = TestReference.from_json(stored["reference"])
    replaced = [position.get(s) for s in changed]
    mask = np.zeros(reference.n_schools, dtype=bool)
    mask[[p for p in replaced if p is not None]] = True
    evaluation = evaluate_test_tables(loaded.arrays, params, reference, mask)
    signs_texts, tested = school_row_payloads(evaluation, {}, params)
    tables = _spliced(stored, position, changed, removed, evaluation, current)
    tables["reference"] = reference.with_schools(
        replaced, evaluation.peers, [position[s] for s in removed]
    ).as_json()
    old_pupils = {s: stored["pupils"][position[s]] for s in changed + removed if s in position}
    return EvaluatedTest(
        inputs=inputs,
        school_ids=changed,
        pupils=evaluation.n_pupils,
        is_selective=evaluation.is_selective,
        signs_texts=signs_texts,
        tested=tested,
        n_pupils=new_pupils,
        seconds=time.perf_counter() - started,
        evaluation=evaluation,
        partial=PartialUpdate(
            snapshot_id=snapshot_id,
            base_hash=base_hash,
            removed=removed,
            tables=tables,
            n_schools=len(tables["school_ids"]),
            n_pupils=n_pupils - sum(old_pupils.values()) + new_pupils,
            reevaluated_pupils=reevaluated + new_pupils,
        ),
    )


def _spliced(
    stored: dict[str, Any],
    position: dict[int, int],
    changed: list[int],
    removed: list[int],
    evaluation: TestEvaluation,
    versions: dict[int, int],
) -> dict[str, Any]:
    """The stored tables with the changed schools' entries replaced (or appended, for a
    school new to the test) and the removed schools' entries dropped."""
    tables = {**stored, "school_ids": list(stored["school_ids"])}
    per_school = {
        "versions": [versions[s] for s in changed],
        "pupils": evaluation.n_pupils,
    }
    tables.update({key: list(stored[key]) for key in per_school})
    fresh = {letter: table.columns for letter, table in evaluation.tables.items()}
    tables["tables"] = {
        letter: {**table, "columns": {name: list(v) for name, v in table["columns"].items()}}
        for letter, table in stored["tables"].items()
    }
    for i, school in enumerate(changed):
        p = position.get(school)
        if p is None:
            tables["school_ids"].append(school)
        for key, values in per_school.items():
            _put(tables[key], p, values[i])
        for letter, table in tables["tables"].items():
            for name, column in table["columns"].items():
                _put(column, p, fresh[letter][name][i])
    if removed:
        gone = {position[s] for s in removed}

        def kept(values: list) -> list:
            return [v for p, v in enumerate(values) if p not in gone]

        tables["school_ids"] = kept(tables["school_ids"])
        for key in per_school:
            tables[key] = kept(tables[key])
        for table in tables["tables"].values():
            table["columns"] = {name: kept(v) for name, v in table["columns"].items()}
    # Whose numbers rest on the frozen references (the card says so until the full pass).
    tables["reevaluated"] = sorted({*stored.get("reevaluated", ()), *changed} - set(removed))
    return tables


def _put(values: list, position: int | None, value: Any) -> None:
    if position is None:
        values.append(value)
    else:
        values[position] = value

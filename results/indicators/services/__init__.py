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

After an upload (``incremental=True``) a test whose schools' result versions alone changed
has only those schools evaluated, against the references frozen at its last full
evaluation (``incremental``); the nightly pass evaluates such tests in full again.

Why always the whole region, even with ``municipality``: the reference distributions and
the BH correction are region-wide, so a municipality's answer depends on every other
school. ``municipality`` picks the region and narrows the returned summary (what the CLI
prints and the job reports); thanks to the snapshots the rest of the region costs only a
hash comparison when nothing changed there.

The package: ``inputs`` (what a snapshot depends on), ``evaluation`` (arrays → sign
tables and row payloads), ``deciding`` (the year's BH and decision rule), ``storage``
(snapshots, rows, year summaries), ``incremental`` (one school against frozen references),
``computing`` (the entry points).
"""

from .computing import (
    ComputeSummary,
    cohort_pair,
    compute_indicators,
    default_year,
    recompute_after_upload,
    recompute_all_years,
    recompute_test,
    run_compute_job,
    run_recompute_after_upload,
)
from .deciding import decide_region_year, result_from_stored_row
from .evaluation import EvaluatedTest, evaluate_loaded, sign_json, snapshot_tables
from .inputs import (
    ALGORITHM_VERSION,
    SELECTIVE_TYPES,
    TestInputs,
    current_slots,
    decision_params,
    test_inputs,
)

__all__ = [
    "ALGORITHM_VERSION",
    "SELECTIVE_TYPES",
    "ComputeSummary",
    "EvaluatedTest",
    "TestInputs",
    "cohort_pair",
    "compute_indicators",
    "current_slots",
    "decide_region_year",
    "decision_params",
    "default_year",
    "evaluate_loaded",
    "recompute_after_upload",
    "recompute_all_years",
    "recompute_test",
    "result_from_stored_row",
    "run_compute_job",
    "run_recompute_after_upload",
    "sign_json",
    "snapshot_tables",
    "test_inputs",
]

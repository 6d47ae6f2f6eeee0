"""Pupils' rows of one test → ``TestArrays`` for the pure statistics.

Never model instances: on PostgreSQL one ``COPY (SELECT …) TO STDOUT (FORMAT BINARY)`` per
test, whose rows all have the same width (every column is a fixed-size integer and the
task scores are unpacked into columns), so the whole buffer is one numpy structured array
— no Python object per pupil. Other backends (SQLite: tests, the demo) use ``values_list``.
Measured for 1M rows on this machine: see ``bench/indicators_bench.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import (
    BinaryField,
    F,
    Func,
    IntegerField,
    QuerySet,
    SmallIntegerField,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from results.models import PupilResult, TaskLevel, Test
from results.objectivity import LEVEL_ADVANCED, LEVEL_BASIC, LEVEL_HIGH, TestArrays

LEVEL_CODES = {
    TaskLevel.BASIC: LEVEL_BASIC,
    TaskLevel.ADVANCED: LEVEL_ADVANCED,
    TaskLevel.HIGH: LEVEL_HIGH,
}
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00"


@dataclass(frozen=True)
class PupilColumns:
    """Raw per-pupil columns of one test, before the schools are made dense indices."""

    school_id: np.ndarray  # int64
    class_key: np.ndarray  # int64, distinct per (school, class label)
    primary_score: np.ndarray
    mark: np.ndarray
    journal_mark: np.ndarray
    task_scores: np.ndarray  # [n × n_tasks]
    #: {(school_id, class_label): class_key}; filled only when asked (sign f).
    class_keys_by_label: dict[tuple[int, str], int] | None = None


def pupil_rows(test: Test, school_ids: Sequence[int] | None = None) -> QuerySet[PupilResult]:
    """The current rows of a test (only current versions are stored), optionally some schools."""
    rows = PupilResult.objects.filter(test=test)
    if school_ids is not None:
        rows = rows.filter(school_id__in=list(school_ids))
    return rows


def fetch_columns(
    rows: QuerySet[PupilResult], n_tasks: int, *, with_labels: bool = False
) -> PupilColumns:
    """Per-pupil integer columns of ``rows`` (one test), by the fastest path of the backend."""
    if connection.vendor == "postgresql":
        return _fetch_binary_copy(rows, n_tasks, with_labels=with_labels)
    return _fetch_values_list(rows, n_tasks)


def _fetch_values_list(rows: QuerySet[PupilResult], n_tasks: int) -> PupilColumns:
    data = list(
        rows.values_list("school_id", "class_label", "primary_score", "mark", "journal_mark")
    )
    # The scores as their stored text «{1,2,0}», parsed by numpy in one call.
    texts = list(
        rows.annotate(
            raw=Func(F("scores"), template="%(expressions)s", output_field=TextField())
        ).values_list("raw", flat=True)
    )
    n = len(data)
    if n and n_tasks and isinstance(texts[0], list):  # a real array column (PostgreSQL)
        scores = np.array(texts, dtype=np.int16).reshape(n, n_tasks)
    elif n and n_tasks:
        joined = ",".join(str(t).strip("{}") for t in texts)
        scores = np.array(joined.split(","), dtype=np.int16).reshape(n, n_tasks)
    else:
        scores = np.zeros((n, n_tasks), dtype=np.int16)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return PupilColumns(
            empty,
            empty,
            empty.astype(np.int16),
            empty.astype(np.int8),
            empty.astype(np.int8),
            scores,
            {},
        )
    school, label, primary, mark, journal = zip(*data, strict=True)
    labels: dict[tuple[int, str], int] = {}
    keys = np.fromiter(
        (labels.setdefault((s, c), len(labels)) for s, c in zip(school, label, strict=True)),
        dtype=np.int64,
        count=n,
    )
    return PupilColumns(
        school_id=np.array(school, dtype=np.int64),
        class_key=keys,
        primary_score=np.array(primary, dtype=np.int16),
        mark=np.array(mark, dtype=np.int8),
        journal_mark=np.array(journal, dtype=np.int8),
        task_scores=scores,
        class_keys_by_label=labels,
    )


def _send(expression, function: str) -> Func:
    return Func(expression, function=function, output_field=BinaryField())


def _fetch_binary_copy(
    rows: QuerySet[PupilResult], n_tasks: int, *, with_labels: bool
) -> PupilColumns:
    # One row per test: PostgreSQL packs every pupil's columns in their binary send format
    # and concatenates them into a single bytea (string_agg), which numpy reads as one
    # structured array. A COPY of one row per pupil cost ≈ 1.5 µs of Python per row
    # inside psycopg (each row is its own libpq message); this costs the server ≈ 0.3 s
    # per 250k rows and the client almost nothing. Every part has a fixed size (the
    # scores are a 1-D smallint[] of n_tasks elements without NULLs), so each pupil's
    # record has the same length; hashtext() turns the class label into an int4,
    # distinct within a school.
    parts = [
        _send(Cast(F("school_id"), IntegerField()), "int4send"),
        _send(Func(F("class_label"), function="hashtext", output_field=IntegerField()), "int4send"),
        _send(Cast(F("primary_score"), SmallIntegerField()), "int2send"),
        _send(Cast(F("mark"), SmallIntegerField()), "int2send"),
        _send(Cast(Coalesce(F("journal_mark"), Value(0)), SmallIntegerField()), "int2send"),
    ]
    if n_tasks:
        parts.append(_send(F("scores"), "array_send"))
    record = Func(
        *parts, template="(%(expressions)s)", arg_joiner=" || ", output_field=BinaryField()
    )
    packed = Func(
        record, template="string_agg(%(expressions)s, ''::bytea)", output_field=BinaryField()
    )
    # values("test_id") makes it GROUP BY test_id: one row for the caller's one test.
    query = rows.order_by().values("test_id").annotate(packed=packed).values_list("packed")
    sql, params = query.query.sql_with_params()
    chunks = bytearray()
    statement = f"COPY ({sql}) TO STDOUT (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for block in copy:
            chunks += block
    if not chunks.startswith(_BINARY_HEADER):
        raise RuntimeError("unexpected COPY BINARY header")
    extension = int.from_bytes(chunks[15:19], "big")
    offset = 19 + extension
    body = memoryview(chunks)[offset:]
    layout = [("school", ">i4"), ("cls", ">i4"), ("primary", ">i2"), ("mark", ">i2"),
              ("journal", ">i2")]  # fmt: skip
    if n_tasks:
        layout += [("ndim", ">i4"), ("has_null", ">i4"), ("elem", ">i4"), ("dim", ">i4"),
                   ("lbound", ">i4"), ("scores", [("len", ">i4"), ("value", ">i2")], n_tasks)]  # fmt: skip
    dtype = np.dtype(layout)
    if int.from_bytes(body[:2], "big", signed=True) == 1:  # one row (else: only the trailer)
        length = int.from_bytes(body[2:6], "big", signed=True)
        if int.from_bytes(body[6 + length : 8 + length], "big", signed=True) != -1:
            raise RuntimeError("COPY BINARY returned more than one row: more than one test?")
        packed_rows = body[6 : 6 + length]
    else:
        packed_rows = body[:0]
    if len(packed_rows) % dtype.itemsize:
        raise RuntimeError("packed rows of unequal length: scores of another length?")
    table_rows = np.frombuffer(packed_rows, dtype=dtype)
    if (
        n_tasks
        and table_rows.size
        and (
            (table_rows["ndim"] != 1).any()
            or (table_rows["has_null"] != 0).any()
            or (table_rows["dim"] != n_tasks).any()
        )
    ):
        raise RuntimeError("unexpected layout of the packed scores")
    school = table_rows["school"].astype(np.int64)
    if n_tasks:
        scores = table_rows["scores"]["value"].astype(np.int16)
    else:
        scores = np.zeros((table_rows.size, 0), dtype=np.int16)
    labels = None
    if with_labels:
        labels = {
            (s, c): (s << 32) | (h & 0xFFFFFFFF)
            for s, c, h in rows.order_by()
            .values_list("school_id", "class_label")
            .annotate(h=Func(F("class_label"), function="hashtext", output_field=IntegerField()))
            .values_list("school_id", "class_label", "h")
            .distinct()
        }
    return PupilColumns(
        school_id=school,
        class_key=(school << 32) | (table_rows["cls"].astype(np.int64) & 0xFFFFFFFF),
        primary_score=table_rows["primary"].astype(np.int16),
        mark=table_rows["mark"].astype(np.int8),
        journal_mark=table_rows["journal"].astype(np.int8),
        task_scores=scores,
        class_keys_by_label=labels,
    )


@dataclass(frozen=True)
class LoadedTest:
    arrays: TestArrays
    #: The database id of each school index.
    school_ids: np.ndarray


def test_arrays(
    *,
    test: Test,
    school_ids: Sequence[int],
    selective_school_ids: set[int],
    observed_classes: dict[tuple[int, str], bool] | None = None,
    test_key: str | None = None,
) -> LoadedTest:
    """``TestArrays`` of ``test`` over ``school_ids`` (the region's schools with results).

    ``observed_classes`` ({(school id, class label): observed}) gives sign f; a school's
    classes missing from it count as unobserved only when the school has scheduled
    classes at all (otherwise the school has no contrast and f is not applicable).
    """
    tasks = list(test.tasks.order_by("position").values_list("number", "max_score", "level"))
    order = np.array(sorted(school_ids), dtype=np.int64)
    columns = fetch_columns(
        pupil_rows(test, order.tolist()), len(tasks), with_labels=bool(observed_classes)
    )
    school_idx = np.searchsorted(order, columns.school_id).astype(np.int32)
    class_keys, class_idx = np.unique(columns.class_key, return_inverse=True)
    class_observed = None
    if observed_classes:
        observed = np.zeros(class_keys.size, dtype=bool)
        position = {int(k): i for i, k in enumerate(class_keys.tolist())}
        for (school_id, label), key in (columns.class_keys_by_label or {}).items():
            if observed_classes.get((school_id, label)) and key in position:
                observed[position[key]] = True
        class_observed = observed
    arrays = TestArrays(
        test_key=test_key or str(test.pk),
        school_idx=school_idx,
        class_idx=class_idx.astype(np.int32).reshape(-1),
        primary_score=np.clip(columns.primary_score, 0, test.max_score),
        mark=columns.mark,
        journal_mark=columns.journal_mark,
        task_scores=np.clip(
            columns.task_scores, 0, np.array([t[1] for t in tasks], dtype=np.int16)
        ),
        task_max=np.array([t[1] for t in tasks], dtype=np.int16),
        task_level=np.array([LEVEL_CODES.get(t[2], LEVEL_BASIC) for t in tasks], dtype=np.int8),
        cut_scores=test.cuts,
        max_score=test.max_score,
        school_is_selective=np.isin(order, list(selective_school_ids)),
        class_observed=class_observed,
        task_labels=tuple(t[0] for t in tasks),
    )
    return LoadedTest(arrays=arrays, school_ids=order)


def school_means(test: Test, school_ids: Sequence[int]) -> dict[int, tuple[int, float]]:
    """{school id: (pupils, mean % of max)} of a test, aggregated in SQL (sign d's other year)."""
    from django.db.models import Count, Sum

    rows = (
        pupil_rows(test, school_ids)
        .order_by()
        .values("school_id")
        .annotate(n=Count("id"), total=Sum("primary_score"))
        .values_list("school_id", "n", "total")
    )
    return {s: (n, (total or 0) / (n * test.max_score)) for s, n, total in rows if n}

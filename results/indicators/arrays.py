"""Pupils' rows of one test → ``TestArrays`` for the pure statistics.

Never model instances: on PostgreSQL one ``COPY (SELECT …) TO STDOUT (FORMAT BINARY)`` per
test, whose rows all have the same width (every column is a fixed-size integer and the
task scores are unpacked into columns), so the whole buffer is one numpy structured array
— no Python object per pupil. Other backends (SQLite: tests, the demo) use ``values_list``.
Measured for 1M rows on this machine: see ``bench/indicators_bench.py``.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

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

from results.models import PupilResult, ResultVersion, TaskLevel, Test
from results.objectivity import LEVEL_ADVANCED, LEVEL_BASIC, LEVEL_HIGH, TestArrays
from results.packs import PackedPupils, unpack_pupils

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
    # A stable key per (school, class label), as on PostgreSQL (school << 32 | a hash of
    # the label): the same class has the same key in every fetch, so cached columns and
    # freshly fetched ones can be joined.
    labels: dict[tuple[int, str], int] = {}
    for key in set(zip(school, label, strict=True)):
        labels[key] = (key[0] << 32) | zlib.crc32(str(key[1]).encode())
    keys = np.fromiter(
        (labels[(s, c)] for s, c in zip(school, label, strict=True)), dtype=np.int64, count=n
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


def fetch_version_columns(
    test: Test, versions: Mapping[int, int], n_tasks: int, *, with_labels: bool = False
) -> PupilColumns:
    """Columns of ``test`` for the given versions ({school id: version id}): from each
    version's pack (``results.packs``, written when it was applied), and from the rows for
    versions stored without one. The same rows as ``fetch_columns`` (order aside).

    The class key is (school << 32) | crc32(label), as the SQLite path makes it: the same
    class has the same key in every read of the same version."""
    schools, unpacked = [], []
    for school_id, version_id, blob in _packs_of(test, list(versions.values())):
        if versions.get(school_id) != version_id:
            continue
        pupils = unpack_pupils(blob)
        if pupils.n_rows and pupils.task_scores.shape[1] != n_tasks:
            continue  # the catalog's tasks changed since: the rows say why (an error)
        schools.append(school_id)
        unpacked.append(pupils)
    packed = set(schools)
    rest = [s for s in versions if s not in packed]
    parts = [_packs_columns(schools, unpacked, n_tasks, with_labels)] if unpacked else []
    if rest or not parts:
        parts.append(fetch_columns(pupil_rows(test, rest), n_tasks, with_labels=with_labels))
    if len(parts) == 1:
        return parts[0]
    columns = _concat(parts)
    if with_labels:
        labels = {**(parts[0].class_keys_by_label or {}), **(parts[1].class_keys_by_label or {})}
        columns = replace(columns, class_keys_by_label=labels)
    return columns


def _packs_of(test: Test, version_ids: list[int]) -> list[tuple[int, int, bytes]]:
    """(school id, version id, pack) of the given versions that have a pack."""
    if connection.vendor == "postgresql":
        # One array parameter: Django's IN of 1,500 parameters cost ≈ 50 ms to build.
        table = ResultVersion._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT school_id, id, pupils_pack FROM "{table}" '  # noqa: S608  # nosec B608  # why: model's table name, values bound
                "WHERE test_id = %s AND id = ANY(%s) AND pupils_pack IS NOT NULL",
                [test.pk, version_ids],
            )
            return cursor.fetchall()
    return list(
        ResultVersion.objects.filter(pk__in=version_ids, test=test)
        .exclude(pupils_pack=None)
        .values_list("school_id", "pk", "pupils_pack")
    )


def _packs_columns(
    schools: list[int], packs: list[PackedPupils], n_tasks: int, with_labels: bool
) -> PupilColumns:
    """Many schools' packs as one ``PupilColumns`` (one concatenation per column)."""
    counts = np.array([p.n_rows for p in packs], dtype=np.int64)
    school_ids = np.array(schools, dtype=np.int64)
    # Every school's labels in one list; a pupil's key is found by its school's offset.
    label_owner = [(s, label) for s, p in zip(schools, packs, strict=True) for label in p.labels]
    label_keys = np.array(
        [(s << 32) | zlib.crc32(label.encode()) for s, label in label_owner], dtype=np.int64
    )
    label_offsets = np.cumsum([0] + [len(p.labels) for p in packs[:-1]])
    class_index = np.concatenate([p.class_index for p in packs]).astype(np.int64)
    class_index += np.repeat(label_offsets, counts)
    return PupilColumns(
        school_id=np.repeat(school_ids, counts),
        class_key=label_keys[class_index] if class_index.size else class_index,
        primary_score=np.concatenate([p.primary_score for p in packs]),
        mark=np.concatenate([p.mark for p in packs]),
        journal_mark=np.concatenate([p.journal_mark for p in packs]),
        task_scores=np.concatenate([p.task_scores.reshape(-1, n_tasks) for p in packs]),
        class_keys_by_label=(
            dict(zip(label_owner, label_keys.tolist(), strict=True)) if with_labels else None
        ),
    )


# --- the columns of recent tests, kept in the process ------------------------------------
#
# After one school's upload only that school's rows are new: the worker that evaluated the
# test before still holds every other school's columns, so it fetches the changed schools
# only and splices them in (measured: the fetch of a 250k-row test ≈ 0.5 s, of one school
# a few ms). Entries are keyed by test and remember the result version of each school they
# hold, so a school whose version differs is always fetched again. Only on PostgreSQL
# outside a transaction (in a transaction the rows may be uncommitted and rolled back).

#: Tests whose columns a process keeps (≈ 45 bytes a pupil: ≈ 11 MB per 250k-row test).
COLUMN_CACHE_TESTS = 4
#: Above this share of changed schools a full fetch is cheaper than splicing.
COLUMN_CACHE_MAX_CHANGED = 0.25
_column_cache: OrderedDict[int, tuple[dict[int, int], int, PupilColumns]] = OrderedDict()
_column_cache_lock = threading.Lock()


def _cache_usable() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def clear_column_cache() -> None:
    with _column_cache_lock:
        _column_cache.clear()


def _concat(parts: Sequence[PupilColumns]) -> PupilColumns:
    return PupilColumns(
        school_id=np.concatenate([p.school_id for p in parts]),
        class_key=np.concatenate([p.class_key for p in parts]),
        primary_score=np.concatenate([p.primary_score for p in parts]),
        mark=np.concatenate([p.mark for p in parts]),
        journal_mark=np.concatenate([p.journal_mark for p in parts]),
        task_scores=np.concatenate([p.task_scores for p in parts]),
    )


def _select(columns: PupilColumns, keep: np.ndarray) -> PupilColumns:
    return PupilColumns(
        school_id=columns.school_id[keep],
        class_key=columns.class_key[keep],
        primary_score=columns.primary_score[keep],
        mark=columns.mark[keep],
        journal_mark=columns.journal_mark[keep],
        task_scores=columns.task_scores[keep],
    )


def cached_columns(
    test: Test,
    versions: Mapping[int, int],
    n_tasks: int,
    *,
    use_cache: bool | None = None,
) -> tuple[PupilColumns, int]:
    """Columns of ``test`` over the schools of ``versions`` ({school id: current version
    id}), and how many schools had to be fetched: only those not held by the process's
    cache with the same version (all of them on a miss). The same rows as
    ``fetch_columns`` (maybe in another order: the statistics do not depend on it)."""
    if use_cache is None:
        use_cache = _cache_usable()
    schools = sorted(versions)
    entry = None
    if use_cache:
        with _column_cache_lock:
            entry = _column_cache.get(test.pk)
    if entry is not None and entry[1] == n_tasks:
        held, _, columns = entry
        stale = [s for s in held if held[s] != versions.get(s)]
        missing = [s for s in schools if held.get(s) != versions[s]]
        if len(missing) <= COLUMN_CACHE_MAX_CHANGED * max(len(schools), 1):
            keep = ~np.isin(columns.school_id, np.array(stale, dtype=np.int64))
            parts = [_select(columns, keep) if stale else columns]
            if missing:
                parts.append(
                    fetch_version_columns(test, {s: versions[s] for s in missing}, n_tasks)
                )
            columns = _concat(parts) if len(parts) > 1 else parts[0]
            _remember(test.pk, dict(versions), n_tasks, columns)
            return columns, len(missing)
    columns = fetch_version_columns(test, {s: versions[s] for s in schools}, n_tasks)
    if use_cache:
        _remember(test.pk, dict(versions), n_tasks, columns)
    return columns, len(schools)


def _remember(test_id: int, versions: dict[int, int], n_tasks: int, columns: PupilColumns):
    with _column_cache_lock:
        _column_cache[test_id] = (versions, n_tasks, columns)
        _column_cache.move_to_end(test_id)
        while len(_column_cache) > COLUMN_CACHE_TESTS:
            _column_cache.popitem(last=False)


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
    versions: Mapping[int, int] | None = None,
    use_cache: bool | None = None,
) -> LoadedTest:
    """``TestArrays`` of ``test`` over ``school_ids`` (the region's schools with results).

    ``observed_classes`` ({(school id, class label): observed}) gives sign f; a school's
    classes missing from it count as unobserved only when the school has scheduled
    classes at all (otherwise the school has no contrast and f is not applicable).

    ``versions`` ({school id: current version id} of ``school_ids``) lets the process's
    column cache serve the schools whose rows it already holds (see ``cached_columns``);
    not with ``observed_classes`` (the cache keeps no class labels).
    """
    tasks = list(test.tasks.order_by("position").values_list("number", "max_score", "level"))
    order = np.array(sorted(school_ids), dtype=np.int64)
    if versions is not None and not observed_classes:
        columns, _ = cached_columns(test, versions, len(tasks), use_cache=use_cache)
    elif versions is not None and set(order.tolist()) <= set(versions):
        columns = fetch_version_columns(
            test, {s: versions[s] for s in order.tolist()}, len(tasks), with_labels=True
        )
    else:
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

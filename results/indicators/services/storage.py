"""Writing a test's snapshot, its rows, the changed decisions and the schools' year summaries."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from results.models import (
    IndicatorSnapshot,
    SchoolTestIndicator,
    SchoolYearIndicator,
    Test,
    json_bytes,
)
from results.objectivity import (
    DecisionParams,
)
from schools.models import Region

from .evaluation import EvaluatedTest, jsonb_text, snapshot_tables

Decision = tuple[bool, float, tuple[str, ...], tuple[str, ...]]


def store_evaluated(
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
    _insert_rows(_rows_of(snapshot.pk, evaluated, decisions, params))


def store_partial(
    evaluated: EvaluatedTest,
    decisions: list[Decision],
    params: DecisionParams,
) -> None:
    """Some schools evaluated against the snapshot's frozen references: their rows are
    replaced, the withdrawn schools' rows go, the snapshot keeps its row with the spliced
    tables and the new input hash; every other row stays as it is."""
    partial = evaluated.partial
    # First, and only if no other job has changed the snapshot since it was read (two
    # schools' uploads evaluated at once): on PostgreSQL the UPDATE also holds the row
    # until the commit, so the other job's UPDATE waits and then finds a new hash.
    updated = IndicatorSnapshot.objects.filter(
        pk=partial.snapshot_id, input_hash=partial.base_hash
    ).update(
        input_hash=evaluated.inputs.input_hash,
        n_schools=partial.n_schools,
        n_pupils=partial.n_pupils,
        seconds=evaluated.seconds,
        reevaluated_pupils=partial.reevaluated_pupils,
    )
    if not updated:
        raise SnapshotChanged(partial.snapshot_id)
    SchoolTestIndicator.objects.filter(
        snapshot_id=partial.snapshot_id, school_id__in=[*evaluated.school_ids, *partial.removed]
    ).delete()
    _write_tables(partial.snapshot_id, partial.tables)
    _insert_rows(_rows_of(partial.snapshot_id, evaluated, decisions, params))


class SnapshotChanged(Exception):
    """Another computation replaced or changed the snapshot after it was read: the
    transaction rolls back and the computation starts again from what is stored now."""


def _rows_of(
    snapshot_id: int, evaluated: EvaluatedTest, decisions: list[Decision], params: DecisionParams
) -> list[tuple]:
    """The rows of the evaluated schools, in ``_INSERT_COLUMNS`` order."""
    test = evaluated.inputs.test
    rows = []
    for i, (decision, numbers) in enumerate(zip(decisions, evaluated.tested, strict=True)):
        flagged, strength, surviving, annotations = decision
        rows.append(
            (
                snapshot_id,
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
    return rows


def _write_tables(snapshot_id: int, tables: dict[str, Any] | None) -> None:
    """The snapshot's tables (≈ 2 MB of JSON a test)."""
    if tables is not None:
        write_bytea_column(IndicatorSnapshot, snapshot_id, "tables", json_bytes(tables))


def write_bytea_column(model: type, pk: int, column: str, value: bytes) -> None:
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
            f'UPDATE "{model._meta.db_table}" SET "{column}" = %b WHERE id = %s',  # noqa: S608  # nosec B608  # why: model table and a column name from our code; values bound
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
                row[i] = jsonb_text(row[i])
            copy.write_row(row)


def update_decisions(changed: list[tuple]) -> None:
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
                WHERE t.id = (d->>0)::bigint""",  # noqa: S608  # nosec B608  # why: the model's table name; values bound
            [jsonb_text(changed)],
        )


def store_school_years(
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
            copy.write_row((s, year_, n, f, jsonb_text(markers), strength))

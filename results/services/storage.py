"""Writing pupils' rows in bulk and swapping a school's version under a lock.

PostgreSQL gets a binary COPY built with numpy: every row of a block has the same layout
once rows are grouped by the byte lengths of their text cells, so a block becomes one
structured array and one ``tobytes()``, with no Python work per row. On a 2-core machine
this wrote 1M rows in ~5 s, against ~10 s for text COPY formatted in Python and ~33 s
with foreign-key constraints on the table (hence none on PupilResult). SQLite gets
``executemany`` in batches.

The swap (:func:`apply_results`) runs in one transaction: new rows in, old rows of the
same school × test deleted, the slot pointed at the new version. Readers see the old
rows until it commits and the new ones after, never a mix.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from results.models import PupilResult, ResultSlot, ResultVersion, Test, Upload, UploadStatus
from results.packs import pack_pupils
from schools.models import School

Progress = Callable[[int, int], None]

#: Rows per COPY block / SQLite batch: big enough to amortise, small enough for a
#: smooth progress bar and bounded memory (~20 MB of COPY data).
BLOCK_ROWS = 100_000

#: Columns written, in this order, by both writers.
COLUMNS = (
    "school_id",
    "test_id",
    "upload_id",
    "class_label",
    "participant_code",
    "variant",
    "sex",
    "scores",
    "unanswered_mask",
    "primary_score",
    "mark",
    "mark_matches_scale",
    "journal_mark",
    "source_row",
)

MAX_TASKS = 63  # unanswered_mask is a signed 64-bit integer


@dataclass
class PreparedResults:
    """Validated rows of one file, in columnar form, ready to store.

    ``school_index`` points into ``schools``; ``scores`` and the unanswered mask follow
    the catalog's task order.
    """

    test: Test
    schools: list[School]
    school_index: np.ndarray  # int32
    class_label: np.ndarray  # object (str)
    participant_code: np.ndarray  # object (str)
    variant: np.ndarray  # int16
    sex: np.ndarray  # object (str)
    scores: np.ndarray  # int16, n × k
    unanswered_mask: np.ndarray  # int64
    primary_score: np.ndarray  # int16
    mark: np.ndarray  # int16
    mark_matches_scale: np.ndarray  # bool
    journal_mark: np.ndarray  # int16, 0 = none
    source_row: np.ndarray  # int32

    @property
    def n_rows(self) -> int:
        return int(self.school_index.shape[0])

    def rows_of_each_school(self) -> list[np.ndarray]:
        """Row indices per entry of ``schools`` (file order kept within a school)."""
        order = np.argsort(self.school_index, kind="stable")
        counts = np.bincount(self.school_index, minlength=len(self.schools))
        return np.split(order, np.cumsum(counts)[:-1])

    def digest(self, rows: np.ndarray) -> str:
        """Fingerprint of the given rows' data (not their position in the file)."""
        h = hashlib.sha256()
        h.update(f"{self.test.pk}:{self.scores.shape[1]}:{rows.size}".encode())
        for column in (
            self.scores,
            self.unanswered_mask,
            self.primary_score,
            self.mark,
            self.mark_matches_scale,
            self.journal_mark,
            self.variant,
        ):
            h.update(np.ascontiguousarray(column[rows]).tobytes())
        for text in (self.participant_code, self.class_label, self.sex):
            h.update("\x1f".join(text[rows].tolist()).encode())
        return h.hexdigest()


Action = Literal["applied", "unchanged", "newer"]


@dataclass
class SchoolOutcome:
    school: School
    rows: int
    action: Action
    version: int | None = None
    digest: str = ""


# --- PostgreSQL: binary COPY ---------------------------------------------------------------

_PG_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_PG_TRAILER = struct.pack(">h", -1)
_INT2_OID = 21
# Binary widths must match the column types exactly: ids are bigint (BigAutoField).
_FIXED = {
    "school_id": ">i8",
    "test_id": ">i8",
    "upload_id": ">i8",
    "variant": ">i2",
    "unanswered_mask": ">i8",
    "primary_score": ">i2",
    "mark": ">i2",
    "mark_matches_scale": "u1",
    "journal_mark": ">i2",
    "source_row": ">i4",
}


_TEXT_COLUMNS = ("class_label", "participant_code", "sex")


def _encoded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of each text and their lengths, converted in numpy (no per-row Python)."""
    text = values.astype("U")
    try:
        # Participant codes are nearly always ASCII.
        ascii_bytes = text.astype("S")
        return ascii_bytes, np.strings.str_len(ascii_bytes).astype(np.int32)
    except UnicodeEncodeError:
        # Cyrillic class labels («4А»): encode each distinct value once.
        distinct, index = np.unique(text, return_inverse=True)
        encoded = np.empty(distinct.size, dtype=object)
        encoded[:] = [v.encode() for v in distinct.tolist()]
        lengths = np.fromiter(map(len, encoded), np.int32, distinct.size)
        return encoded[index.reshape(-1)], lengths[index.reshape(-1)]


def _binary_rows(
    data: PreparedResults, rows: np.ndarray, school_ids: np.ndarray, test_id: int, upload_id: int
) -> bytes:
    """COPY BINARY tuples for ``rows`` (without the file header and trailer)."""
    k = data.scores.shape[1]
    texts, key = {}, np.zeros(rows.size, dtype=np.int64)
    for name in _TEXT_COLUMNS:
        texts[name], length = _encoded(getattr(data, name)[rows])
        key = (key << 16) | length  # texts are at most 40 characters (160 bytes)
    shapes, inverse = np.unique(key, return_inverse=True)
    if shapes.size == 1:
        members_of = [np.arange(rows.size)]
    else:
        order = np.argsort(inverse, kind="stable")
        members_of = np.split(order, np.cumsum(np.bincount(inverse))[:-1])
    groups = [
        ([(int(shape) >> shift) & 0xFFFF for shift in (32, 16, 0)], members)
        for shape, members in zip(shapes.tolist(), members_of, strict=True)
    ]

    parts = []
    for widths, members in groups:
        width = dict(zip(_TEXT_COLUMNS, (int(w) for w in widths), strict=True))
        # Each field is preceded by its byte length; an empty text is just the length 0.
        layout: list[tuple] = [("fields", ">i2")]
        for name in COLUMNS:
            layout.append((f"{name}__len", ">i4"))
            if name in width:
                if width[name]:
                    layout.append((name, f"S{width[name]}"))
            elif name == "scores":
                # smallint[] wire format: ndim, has-nulls, element type, then the
                # dimension (size, lower bound) and each element as (length, value).
                items = [("len", ">i4"), ("v", ">i2")]
                layout.append((name, [("header", ">i4", (5,)), ("items", items, (k,))]))
            else:
                layout.append((name, _FIXED[name]))
        block = np.empty(members.size, dtype=np.dtype(layout))
        block["fields"] = len(COLUMNS)
        for name in COLUMNS:
            if name in width:
                block[f"{name}__len"] = width[name]
            elif name == "scores":
                block[f"{name}__len"] = 20 + 6 * k
            else:
                block[f"{name}__len"] = np.dtype(_FIXED[name]).itemsize
        picked = rows[members]
        block["school_id"] = school_ids[members]
        block["test_id"] = test_id
        block["upload_id"] = upload_id
        for name in _TEXT_COLUMNS:
            if width[name]:
                block[name] = texts[name][members].astype(f"S{width[name]}")
        block["variant"] = data.variant[picked]
        block["scores"]["header"] = (1, 0, _INT2_OID, k, 1)
        block["scores"]["items"]["len"] = 2
        block["scores"]["items"]["v"] = data.scores[picked]
        block["unanswered_mask"] = data.unanswered_mask[picked]
        block["primary_score"] = data.primary_score[picked]
        block["mark"] = data.mark[picked]
        block["mark_matches_scale"] = data.mark_matches_scale[picked]
        block["journal_mark"] = data.journal_mark[picked]
        block["source_row"] = data.source_row[picked]
        parts.append(block.tobytes())
    return b"".join(parts)


def _copy_postgresql(
    data: PreparedResults, rows: np.ndarray, *, upload_id: int, progress: Progress | None
) -> None:
    from psycopg.copy import QueuedLibpqWriter

    table = PupilResult._meta.db_table
    school_pk = np.array([s.pk for s in data.schools], dtype=np.int64)
    sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT binary)"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # A writer thread sends each block while numpy formats the next one, so the
        # formatting overlaps with the server's work instead of adding to it.
        with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
            copy.write(_PG_SIGNATURE)
            for start in range(0, rows.size, BLOCK_ROWS):
                chunk = rows[start : start + BLOCK_ROWS]
                school_ids = school_pk[data.school_index[chunk]]
                copy.write(_binary_rows(data, chunk, school_ids, data.test.pk, upload_id))
                if progress:
                    progress(start + chunk.size, rows.size)
            copy.write(_PG_TRAILER)


# --- Other backends (SQLite): batched INSERT -----------------------------------------------


def scores_text(scores: np.ndarray) -> list[str]:
    """``{1,2,0}`` for each row, built column by column in numpy (no per-row Python)."""
    n, k = scores.shape
    if k == 0:
        return ["{}"] * n
    lut = np.array([str(v) for v in range(int(scores.max(initial=0)) + 1)])
    text = lut[np.clip(scores[:, 0], 0, None)]
    for j in range(1, k):
        text = np.strings.add(np.strings.add(text, ","), lut[np.clip(scores[:, j], 0, None)])
    return np.strings.add(np.strings.add("{", text), "}").tolist()


def _insert_batches(
    data: PreparedResults, rows: np.ndarray, *, upload_id: int, progress: Progress | None
) -> None:
    table = PupilResult._meta.db_table
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    # Table and column names are constants of this module, never user input.
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608  # nosec B608  # why: module constants, values bound
    school_pk = np.array([s.pk for s in data.schools], dtype=np.int64)
    with connection.cursor() as cursor:
        for start in range(0, rows.size, BLOCK_ROWS):
            chunk = rows[start : start + BLOCK_ROWS]
            n = chunk.size
            cursor.executemany(
                sql,
                zip(
                    school_pk[data.school_index[chunk]].tolist(),
                    [data.test.pk] * n,
                    [upload_id] * n,
                    data.class_label[chunk].tolist(),
                    data.participant_code[chunk].tolist(),
                    data.variant[chunk].tolist(),
                    data.sex[chunk].tolist(),
                    scores_text(data.scores[chunk]),
                    data.unanswered_mask[chunk].tolist(),
                    data.primary_score[chunk].tolist(),
                    data.mark[chunk].tolist(),
                    data.mark_matches_scale[chunk].tolist(),
                    data.journal_mark[chunk].tolist(),
                    data.source_row[chunk].tolist(),
                    strict=True,
                ),
            )
            if progress:
                progress(start + n, rows.size)


def write_rows(
    data: PreparedResults, rows: np.ndarray, *, upload_id: int, progress: Progress | None = None
) -> None:
    """Insert the given rows of ``data`` (COPY on PostgreSQL, batched INSERT elsewhere)."""
    if rows.size == 0:
        return
    if connection.vendor == "postgresql":
        _copy_postgresql(data, rows, upload_id=upload_id, progress=progress)
    else:
        _insert_batches(data, rows, upload_id=upload_id, progress=progress)


def pack_rows(data: PreparedResults, rows: np.ndarray) -> bytes:
    """The pack (``results.packs``) of one school's rows of ``data``."""
    return pack_pupils(
        class_labels=data.class_label[rows],
        primary_score=data.primary_score[rows],
        mark=data.mark[rows],
        journal_mark=data.journal_mark[rows],
        task_scores=data.scores[rows],
    )


# --- The swap ------------------------------------------------------------------------------


def apply_results(
    *, upload: Upload, data: PreparedResults, progress: Progress | None = None
) -> list[SchoolOutcome]:
    """Make ``data`` the current version of each of its schools × the test, atomically.

    Per school: rows identical to the current version change nothing ("unchanged"); a
    school whose current version came from a newer upload (a larger id) keeps it
    ("newer"), so the outcome does not depend on which worker finished first; otherwise
    the new rows replace the old ones and a version is added to the history ("applied").
    Slots are locked in school-id order so two municipal imports cannot deadlock.
    """
    test = data.test
    parts = data.rows_of_each_school()
    order = sorted(range(len(data.schools)), key=lambda i: data.schools[i].pk)
    digests = {i: data.digest(parts[i]) for i in order}
    outcomes: dict[int, SchoolOutcome] = {}
    now = timezone.now()

    with transaction.atomic():
        ResultSlot.objects.bulk_create(
            [ResultSlot(school=data.schools[i], test=test) for i in order],
            ignore_conflicts=True,
        )
        slots = {
            slot.school_id: slot
            for slot in ResultSlot.objects.select_for_update(of=("self",))
            .select_related("current")
            .filter(test=test, school__in=[s.pk for s in data.schools])
            .order_by("school_id")
        }
        to_apply: list[int] = []
        for i in order:
            school = data.schools[i]
            current = slots[school.pk].current
            rows = int(parts[i].size)
            if current is not None and current.upload_id == upload.pk:
                # This upload was applied already (a task delivered twice): nothing to do.
                outcomes[i] = SchoolOutcome(school, rows, "applied", current.number, digests[i])
            elif current is not None and current.upload_id > upload.pk:
                outcomes[i] = SchoolOutcome(school, rows, "newer", current.number, digests[i])
            elif current is not None and current.content_sha256 == digests[i]:
                outcomes[i] = SchoolOutcome(school, rows, "unchanged", current.number, digests[i])
            else:
                to_apply.append(i)

        if to_apply:
            rows = np.concatenate([parts[i] for i in to_apply])
            write_rows(data, rows, upload_id=upload.pk, progress=progress)
            school_ids = [data.schools[i].pk for i in to_apply]
            PupilResult.objects.filter(test=test, school_id__in=school_ids).exclude(
                upload_id=upload.pk
            ).delete()
            last_numbers = dict(
                ResultVersion.objects.filter(test=test, school_id__in=school_ids)
                .values("school_id")
                .annotate(last=Max("number"))
                .values_list("school_id", "last")
            )
            versions = ResultVersion.objects.bulk_create(
                [
                    ResultVersion(
                        school=data.schools[i],
                        test=test,
                        upload=upload,
                        number=last_numbers.get(data.schools[i].pk, 0) + 1,
                        rows=int(parts[i].size),
                        content_sha256=digests[i],
                        pupils_pack=pack_rows(data, parts[i]),
                    )
                    for i in to_apply
                ]
            )
            previous_uploads = set()
            for i, version in zip(to_apply, versions, strict=True):
                slot = slots[data.schools[i].pk]
                if slot.current is not None:
                    previous_uploads.add(slot.current.upload_id)
                    # The old rows are deleted above: the pack of them goes too.
                    ResultVersion.objects.filter(pk=slot.current.pk).update(
                        replaced_at=now, replaced_by=version, pupils_pack=None
                    )
                slot.current = version
                outcomes[i] = SchoolOutcome(
                    data.schools[i], int(parts[i].size), "applied", version.number, digests[i]
                )
            ResultSlot.objects.bulk_update([slots[s] for s in school_ids], ["current"])
            _mark_superseded(previous_uploads - {upload.pk})
    return [outcomes[i] for i in range(len(data.schools))]


def _mark_superseded(upload_ids: set[int]) -> None:
    """Uploads none of whose versions is current any more are superseded."""
    if not upload_ids:
        return
    still_current = set(
        ResultSlot.objects.filter(current__upload_id__in=upload_ids).values_list(
            "current__upload_id", flat=True
        )
    )
    Upload.objects.filter(
        pk__in=upload_ids - still_current,
        status__in=[UploadStatus.APPLIED, UploadStatus.UNCHANGED],
    ).update(status=UploadStatus.SUPERSEDED)

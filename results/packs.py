"""A result version's pupils packed into one compressed blob, for the statistics to read.

Why: the indicators read every pupil of a test (250k rows) for each computation. Out of the
row table that costs PostgreSQL ≈ 0.45 s of per-row work per test (the score arrays are
unpacked row by row), whatever the query's shape; the pack of the same rows, written once
when the version is applied, is read back as ~1,500 blobs in a few tens of milliseconds.

What: only the columns the statistics use — class label (as an index into the version's
label list), primary score, mark, journal mark and the task scores. No participant codes,
no names. A version's rows never change after it is applied, so its pack cannot go stale;
it is dropped when the version is replaced, together with the rows.

Layout (little-endian): ``VPK1``, n rows (u4), k tasks (u2), label bytes (u4), the labels
as UTF-8 joined by U+001F, then class index u2[n], primary score i2[n], mark i1[n],
journal mark i1[n] (0 = none), task scores i2[n × k]; all of it zlib-compressed (level 1:
the scores are small numbers, the blob shrinks ≈ 5× for ≈ 1 ms per 10k pupils).
Pure functions, no Django.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

MAGIC = b"VPK1"
_HEADER = struct.Struct("<4sIHI")
_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class PackedPupils:
    """One version's pupils as columns (the same order as packed)."""

    labels: tuple[str, ...]  # the distinct class labels of the version
    class_index: np.ndarray  # uint16 [n], index into ``labels``
    primary_score: np.ndarray  # int16 [n]
    mark: np.ndarray  # int8 [n]
    journal_mark: np.ndarray  # int8 [n], 0 = no journal mark
    task_scores: np.ndarray  # int16 [n × k]

    @property
    def n_rows(self) -> int:
        return int(self.primary_score.shape[0])


def pack_pupils(
    *,
    class_labels: np.ndarray,
    primary_score: np.ndarray,
    mark: np.ndarray,
    journal_mark: np.ndarray,
    task_scores: np.ndarray,
) -> bytes:
    """Pack one version's rows (arrays of equal length; ``task_scores`` is [n × k])."""
    n = int(np.asarray(primary_score).shape[0])
    scores = np.asarray(task_scores, dtype="<i2")
    if scores.ndim != 2 or scores.shape[0] != n:
        raise ValueError("task_scores must be [n rows × k tasks]")
    labels, index = np.unique(np.asarray(class_labels, dtype=str), return_inverse=True)
    if labels.size > np.iinfo(np.uint16).max:
        raise ValueError("too many class labels in one version")
    if any(_SEPARATOR in label for label in labels.tolist()):
        raise ValueError("a class label contains U+001F")
    label_bytes = _SEPARATOR.join(labels.tolist()).encode()
    raw = b"".join(
        (
            _HEADER.pack(MAGIC, n, scores.shape[1], len(label_bytes)),
            label_bytes,
            index.reshape(-1).astype("<u2").tobytes(),
            np.asarray(primary_score).astype("<i2").tobytes(),
            np.asarray(mark).astype("i1").tobytes(),
            np.asarray(journal_mark).astype("i1").tobytes(),
            scores.tobytes(),
        )
    )
    return zlib.compress(raw, 1)


def unpack_pupils(blob: bytes | memoryview) -> PackedPupils:
    """The columns of a pack; ValueError when the blob is not a pack of this layout."""
    try:
        raw = zlib.decompress(blob)
    except zlib.error as exc:
        raise ValueError("not a pupils pack") from exc
    if len(raw) < _HEADER.size:
        raise ValueError("truncated pupils pack")
    magic, n, k, label_length = _HEADER.unpack_from(raw)
    if magic != MAGIC:
        raise ValueError("not a pupils pack")
    offset = _HEADER.size
    expected = offset + label_length + n * (2 + 2 + 1 + 1 + 2 * k)
    if len(raw) != expected:
        raise ValueError("pupils pack of the wrong length")
    text = raw[offset : offset + label_length].decode()
    labels = tuple(text.split(_SEPARATOR)) if n else ()
    offset += label_length

    def take(dtype: str, count: int) -> np.ndarray:
        nonlocal offset
        array = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
        offset += array.nbytes
        return array

    class_index = take("<u2", n)
    primary = take("<i2", n)
    mark = take("i1", n)
    journal = take("i1", n)
    scores = take("<i2", n * k).reshape(n, k)
    if n and int(class_index.max()) >= len(labels):
        raise ValueError("pupils pack with a class index out of range")
    return PackedPupils(labels, class_index, primary, mark, journal, scores)

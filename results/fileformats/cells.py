"""Turning cell values into numbers and strings, a column of a block at a time.

Integer cells are encoded as one int64 per cell: ``value * 8 + status`` (see the STATUS_*
constants), so a whole column converts with one dict lookup per cell and decodes with two
numpy operations: ``status = codes & 7``, ``value = codes >> 3``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

STATUS_OK = 0
STATUS_EMPTY = 1
STATUS_UNANSWERED = 2  # «X», «Х» or «-»: no answer, 0 points
STATUS_ABSENT = 3  # «отсутствовал»
STATUS_NOT_A_NUMBER = 4
STATUS_NOT_INTEGER = 5

_VALUE_LIMIT = 30_000  # values are stored as int16; larger ones are clipped (and rejected)

# No answer; for marks, "not given" (ФИС ОКО writes «нет отметки» in the journal column).
_UNANSWERED = {"x", "х", "-", "–", "—", "х.", "x.", "нет отметки", "н/о"}


def is_absent_text(text: str) -> bool:
    """True for «отсутствовал», «отсутствует», «отс.», «н/я»."""
    t = text.strip().lower()
    return t.startswith("отсутств") or t in ("отс", "отс.", "н/я", "неявка", "не явился")


def _encode(value: int, status: int) -> int:
    value = max(-_VALUE_LIMIT, min(_VALUE_LIMIT, value))
    return value * 8 + status


def interpret_int(value: object) -> int:
    """Code for one cell expected to hold an integer score or mark."""
    if value is None:
        return STATUS_EMPTY
    if isinstance(value, bool):
        return STATUS_NOT_A_NUMBER
    if isinstance(value, int):
        return _encode(value, STATUS_OK)
    if isinstance(value, float):
        if math.isnan(value):
            return STATUS_EMPTY
        if math.isinf(value):
            return STATUS_NOT_A_NUMBER
        if value.is_integer():
            return _encode(int(value), STATUS_OK)
        return STATUS_NOT_INTEGER
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return STATUS_EMPTY
        low = text.lower()
        if low in _UNANSWERED:
            return STATUS_UNANSWERED
        if is_absent_text(low):
            return STATUS_ABSENT
        try:
            return _encode(int(text), STATUS_OK)
        except ValueError:
            pass
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return STATUS_NOT_A_NUMBER
        if math.isnan(number) or math.isinf(number):
            return STATUS_NOT_A_NUMBER
        return _encode(int(number), STATUS_OK) if number.is_integer() else STATUS_NOT_INTEGER
    return STATUS_NOT_A_NUMBER


def _base_int_cache() -> dict[object, int]:
    cache: dict[object, int] = {None: STATUS_EMPTY, "": STATUS_EMPTY}
    for i in range(-5, 101):
        code = _encode(i, STATUS_OK)
        cache[i] = code
        cache[float(i)] = code
        cache[str(i)] = code
    for mark in _UNANSWERED:
        cache[mark] = STATUS_UNANSWERED
        cache[mark.upper()] = STATUS_UNANSWERED
    return cache


_BASE_INT_CACHE = _base_int_cache()


def int_codes(values: Sequence[object]) -> np.ndarray:
    """Encode a column of raw cell values (see module docstring); returns int64."""
    cache = _BASE_INT_CACHE
    try:
        return np.fromiter(map(cache.__getitem__, values), dtype=np.int64, count=len(values))
    except (KeyError, TypeError):
        pass
    local = dict(cache)
    for v in set(values):
        if v not in local:
            local[v] = interpret_int(v)
    return np.fromiter(map(local.__getitem__, values), dtype=np.int64, count=len(values))


def text_of(value: object) -> str:
    """A cell as text: integral floats without ".0", whitespace collapsed, None → ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, bool):
        return "ИСТИНА" if value else "ЛОЖЬ"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M") if value.time() else value.strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return " ".join(str(value).split())


def texts(values: Iterable[object]) -> list[str]:
    """``text_of`` over a column; a column of clean strings is checked in a few C scans
    (no leading, trailing or doubled spaces, no tabs, line breaks or odd spaces)."""
    values = list(values)
    if set(map(type, values)) <= {str}:
        joined = "\x00".join(values)  # type: ignore[arg-type]
        if (
            "  " not in joined
            and "\x00 " not in joined
            and " \x00" not in joined
            and not joined.startswith(" ")
            and not joined.endswith(" ")
            and "".join(values).isprintable()  # type: ignore[arg-type]
        ):
            return values  # type: ignore[return-value]
    return [text_of(v) for v in values]


class Block(Protocol):
    """A run of data rows from one sheet, read column by column.

    ``rows`` holds the row number of each row as the user sees it (Excel row or CSV line).
    """

    rows: np.ndarray
    #: Share of the file read once this block is done (0–1, approximate; for progress bars).
    done: float

    def int_codes(self, col: int) -> np.ndarray:
        """Encoded integers of column ``col`` (see :func:`int_codes`)."""
        ...

    def int_code_matrix(self, cols: list[int]) -> np.ndarray:
        """Encoded integers of several columns, n × len(cols)."""
        ...

    def texts(self, col: int) -> list[str]:
        """Column ``col`` as text ("" for empty cells)."""
        ...

    def raw(self, i: int, col: int) -> str:
        """The cell at row ``i`` of the block, as text for a message."""
        ...


class RowBlock:
    """A block built from rows given as Python sequences (calamine, openpyxl, csv)."""

    def __init__(
        self, rows: Sequence[int], cells: list[Sequence[object]], width: int, done: float = 0.0
    ) -> None:
        self.rows = np.asarray(rows, dtype=np.int32)
        self.done = done
        padded: list[Sequence[object]] = []
        for r in cells:
            if len(r) < width:
                r = list(r) + [None] * (width - len(r))
            padded.append(r)
        self._cells = padded
        self._columns: list[tuple[object, ...]] | None = None

    def _column(self, col: int) -> Sequence[object]:
        if self._columns is None:
            self._columns = list(zip(*self._cells, strict=True))  # transpose once, in C
        return self._columns[col]

    def int_codes(self, col: int) -> np.ndarray:
        return int_codes(self._column(col))

    def int_code_matrix(self, cols: list[int]) -> np.ndarray:
        out = np.empty((self.rows.shape[0], len(cols)), dtype=np.int64)
        for j, col in enumerate(cols):
            out[:, j] = int_codes(self._column(col))
        return out

    def texts(self, col: int) -> list[str]:
        return texts(self._column(col))

    def raw(self, i: int, col: int) -> str:
        return text_of(self._cells[i][col])

"""Data classes returned by the reader: tasks, the test hint, errors and the parsed file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

FileFormat = Literal["f1", "collection", "csv"]
Session = Literal["spring", "autumn"]

#: Task levels as stored: Б basic, П advanced, В high (Cyrillic capitals).
LEVELS = ("Б", "П", "В")


class ResultsFileError(Exception):
    """The file cannot be read at all; ``message_ru`` is shown to the user as is."""

    def __init__(self, message_ru: str) -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One task (or criterion) column of a test.

    ``number`` is normalised by :func:`results.fileformats.headers.normalize_task_number`
    when compared, so "1К1", "1k1" and "1K1" are the same task.
    """

    number: str
    max_score: int | None
    level: str | None = None


@dataclass(frozen=True, slots=True)
class TestHint:
    """What the file says about its test (title and metadata rows); every field may be unknown.

    ``session`` is a guess: from the month of «Дата» when present (August–December is
    autumn), otherwise autumn for 2020 and 2022 and spring for other years.
    """

    __test__ = False  # not a pytest test class

    year: int | None
    subject: str | None
    grade: int | None
    session: Session | None
    date: dt.date | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one cell or row.

    ``row`` is the row number as the user sees it in Excel (1-based, counting the title
    and header rows) or the line number in a CSV file; 0 means the file as a whole.
    ``column`` is the column title as written in the file, or None for the whole row.
    """

    row: int
    column: str | None
    message_ru: str

    def __str__(self) -> str:
        where = f"Строка {self.row}" if self.row else "Файл"
        if self.column:
            where += f", столбец «{self.column}»"
        return f"{where}: {self.message_ru}"


@dataclass(slots=True)
class ResultsFile:
    """A parsed results file: metadata, validation outcome and columnar data.

    Every array has one entry per accepted participant row (``n_rows``); task arrays are
    ``n_rows × len(tasks)`` in the order of ``tasks``. Missing values:

    * ``primary_score`` is -1 where the file had no «Первичный балл»/«Итого» cell
      (the column is absent, the cell empty); ``primary_score_computed`` always holds the
      sum of the task scores.
    * ``mark`` and ``journal_mark`` are 0 where missing.
    * ``sex`` is "" when unknown, else "М" or "Ж".
    * ``variant`` is 0 when missing.

    Rows with errors are kept in the arrays (so the error report and the counts can point at
    them); ``row_has_error`` flags them. A caller that applies the file "wholly or not at all"
    checks ``ok`` first.
    """

    format: FileFormat | None  # None for a refused file
    filename: str
    sheet_name: str | None
    test_hint: TestHint | None
    declared_max_score: int | None
    declared_participants: int | None
    tasks: list[TaskSpec]
    # The header row (Excel numbering) and the original column titles by role.
    header_row: int
    column_titles: dict[str, str]
    task_titles: list[str]

    logins: list[str]
    login_index: np.ndarray  # int32, index into ``logins``; -1 for a malformed login
    class_label: np.ndarray  # object (str)
    participant_code: np.ndarray  # object (str)
    variant: np.ndarray  # int16
    sex: np.ndarray  # object (str)
    scores: np.ndarray  # int16, n × k; 0 where unanswered or invalid
    unanswered: np.ndarray  # bool, n × k
    primary_score: np.ndarray  # int16, -1 when not given
    primary_score_computed: np.ndarray  # int16
    mark: np.ndarray  # int8, 0 when not given
    journal_mark: np.ndarray  # int8, 0 when not given
    source_row: np.ndarray  # int32, Excel row number / CSV line number
    row_has_error: np.ndarray  # bool

    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[RowError] = field(default_factory=list)
    warning_count: int = 0
    #: Rows with "отсутствовал" (collection form), skipped and counted.
    absent_rows: int = 0
    #: Rows where every task cell is empty (trailing blank rows excluded), skipped.
    blank_rows: int = 0
    #: Header cells not recognised and therefore ignored.
    ignored_columns: list[str] = field(default_factory=list)
    fatal: str | None = None

    @classmethod
    def refused(cls, *, filename: str, message_ru: str) -> ResultsFile:
        """A file refused as a whole: ``fatal`` set, no rows."""
        return cls(
            format=None,
            filename=filename,
            sheet_name=None,
            test_hint=None,
            declared_max_score=None,
            declared_participants=None,
            tasks=[],
            header_row=0,
            column_titles={},
            task_titles=[],
            logins=[],
            login_index=np.zeros(0, np.int32),
            class_label=np.zeros(0, object),
            participant_code=np.zeros(0, object),
            variant=np.zeros(0, np.int16),
            sex=np.zeros(0, object),
            scores=np.zeros((0, 0), np.int16),
            unanswered=np.zeros((0, 0), bool),
            primary_score=np.zeros(0, np.int16),
            primary_score_computed=np.zeros(0, np.int16),
            mark=np.zeros(0, np.int8),
            journal_mark=np.zeros(0, np.int8),
            source_row=np.zeros(0, np.int32),
            row_has_error=np.zeros(0, bool),
            fatal=message_ru,
        )

    def raise_if_refused(self) -> None:
        """Raise :class:`ResultsFileError` with ``fatal`` if the file was refused."""
        if self.fatal is not None:
            raise ResultsFileError(self.fatal)

    @property
    def n_rows(self) -> int:
        return int(self.source_row.shape[0])

    @property
    def participant_count(self) -> int:
        """Participants read from the file (absent pupils excluded)."""
        return self.n_rows

    @property
    def ok(self) -> bool:
        """True when the file may be applied: no refusal and no errors (warnings allowed)."""
        return self.fatal is None and self.error_count == 0

    @property
    def max_score(self) -> int | None:
        """Sum of the task maxima (None if any task max is unknown)."""
        if any(t.max_score is None for t in self.tasks):
            return None
        return sum(t.max_score or 0 for t in self.tasks)

    def rows_per_login(self) -> dict[str, int]:
        """Number of participant rows per school login (malformed logins left out)."""
        valid = self.login_index[self.login_index >= 0]
        counts = np.bincount(valid, minlength=len(self.logins))
        return {login: int(c) for login, c in zip(self.logins, counts, strict=False)}

"""Columnar checks of the rows read: every message names the row and the column.

All checks are vectorised over the whole file; messages are built only for the first
``max_errors`` problems (in row order, left to right) while the counts stay exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import headers as h
from .cells import (
    STATUS_EMPTY,
    STATUS_NOT_A_NUMBER,
    STATUS_NOT_INTEGER,
    STATUS_OK,
    STATUS_UNANSWERED,
)
from .schema import FileFormat, ResultsFile, RowError, TaskSpec

_LOGIN_IN_TEXT = re.compile(r"(?<![a-z0-9])(edu\d{6})(?!\d)")
_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")

#: A participant code: letters, digits, and inner spaces or ``- _ . / \``, starting with a
#: letter or a digit. ФИС ОКО codes are numbers (10001, 00123); schools' own forms use
#: «А-17» and the like. A code starting with ``=``, ``+``, ``-`` or ``@`` would be read as a
#: formula by the spreadsheets the code is printed in later, so it is refused, not stored.
_CODE = re.compile(r"[^\W_][\w .\-/\\]*")
#: A class label before normalisation: letters, digits, spaces and ``- . /`` («4 а», «4-A»,
#: «4Б-коррекционный»). Anything else («@SUM(1)») is refused rather than silently dropped.
_CLASS_LABEL = re.compile(r"[^\W_](?:[^\W_]|[ .\-/])*")


def _quoted(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def participant_code_problem(code: str) -> str | None:
    """The Russian reason a (non-empty) participant code is refused, or None if it is fine.

    The length (the database column's 40 characters) is checked by the import service."""
    if not _CODE.fullmatch(code):
        return (
            f"Код участника «{_quoted(code)}» недопустим: разрешены буквы, цифры, пробел и знаки "
            "«-», «_», «.», «/», «\\»; первым должна быть буква или цифра"
        )
    return None


def class_label_problem(text: str) -> str | None:
    """The Russian reason a (non-empty) class label is refused, or None if it is fine.

    The length of the normalised label is checked by the import service."""
    if not _CLASS_LABEL.fullmatch(text):
        return (
            f"Класс «{_quoted(text)}» недопустим: разрешены буквы, цифры, пробел и знаки «-», «.», «/» "
            "(например, «4А», «4 б»)"
        )
    return None


def mark_for_scores(primary: np.ndarray, cuts: tuple[int, int, int]) -> np.ndarray:
    """VPR mark for each primary score: 2 below ``cuts[0]``, 3 from it, 4 from ``cuts[1]``,
    5 from ``cuts[2]`` (the scale's minimum scores for 3, 4 and 5). Returns int8."""
    thresholds = np.asarray(cuts, dtype=np.int64)
    return (2 + np.searchsorted(thresholds, primary, side="right")).astype(np.int8)


def normalize_class_label(text: str) -> str:
    """«4 а», "4-A", 4.0 → «4А»: digits and capital letters only, Latin look-alikes made
    Cyrillic."""
    kept = "".join(ch for ch in text if ch.isalnum())
    return kept.upper().translate(_LATIN_TO_CYRILLIC)


def normalize_sex(text: str) -> str | None:
    """«М»/«Ж» for the usual spellings, "" for empty, None when not recognised."""
    t = text.strip().lower()
    if not t:
        return ""
    if t in ("м", "m", "муж", "муж.", "мужской", "мальчик", "1"):
        return "М"
    if t in ("ж", "f", "w", "жен", "жен.", "женский", "девочка", "2"):
        return "Ж"
    return None


@dataclass
class Columns:
    """Data read from the blocks, before validation."""

    k: int
    int_roles: list[str]
    text_roles: list[str]
    n: int = 0
    absent_rows: int = 0
    blank_rows: int = 0
    #: (row index, sheet column) → raw text of cells that were not numbers.
    raw: dict[tuple[int, int], str] = field(default_factory=dict)
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    task_values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int16))
    task_status: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8))
    int_values: dict[str, np.ndarray] = field(default_factory=dict)
    int_status: dict[str, np.ndarray] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    _parts: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def append(
        self,
        *,
        rows: np.ndarray,
        task_codes: np.ndarray,
        ints: dict[str, np.ndarray],
        texts: dict[str, list[str]],
    ) -> None:
        """Add a block; integers are stored decoded and small, texts go straight into the
        final lists, so nothing is held twice."""
        parts = self._parts
        parts.setdefault("rows", []).append(rows.astype(np.int32))
        parts.setdefault("task_values", []).append((task_codes >> 3).astype(np.int16))
        parts.setdefault("task_status", []).append((task_codes & 7).astype(np.int8))
        for r, c in ints.items():
            parts.setdefault(f"value:{r}", []).append((c >> 3).astype(np.int16))
            parts.setdefault(f"status:{r}", []).append((c & 7).astype(np.int8))
        for r, values in texts.items():
            self.texts.setdefault(r, []).extend(values)
        self.n += int(rows.shape[0])

    def finish(self) -> None:
        """Join the blocks, one field at a time so that peak memory stays low."""
        parts = self._parts

        def join(name: str, empty: np.ndarray) -> np.ndarray:
            pieces = parts.pop(name, [])
            return np.concatenate(pieces) if pieces else empty

        self.rows = join("rows", np.zeros(0, np.int32))
        self.task_values = join("task_values", np.zeros((0, self.k), np.int16))
        self.task_status = join("task_status", np.zeros((0, self.k), np.int8))
        for r in self.int_roles:
            self.int_values[r] = join(f"value:{r}", np.zeros(0, np.int16))
            self.int_status[r] = join(f"status:{r}", np.zeros(0, np.int8))
        for r in self.text_roles:
            self.texts.setdefault(r, [])


Message = Callable[[int], str]


@dataclass
class _Problems:
    """Problems collected as arrays of row indices; messages built lazily."""

    groups: list[tuple[np.ndarray, int, str | None, Message]] = field(default_factory=list)

    def add(self, idx: np.ndarray, position: int, title: str | None, message: Message) -> None:
        if idx.size:
            self.groups.append((idx, position, title, message))

    def count(self) -> int:
        return sum(g[0].size for g in self.groups)

    def mask(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        for idx, *_ in self.groups:
            out[idx] = True
        return out

    def build(self, source_rows: np.ndarray, limit: int) -> list[RowError]:
        if not self.groups or limit <= 0:
            return []
        idx = np.concatenate([g[0] for g in self.groups])
        pos = np.concatenate([np.full(g[0].size, g[1]) for g in self.groups])
        gid = np.concatenate([np.full(g[0].size, i) for i, g in enumerate(self.groups)])
        order = np.lexsort((pos, idx))[:limit]
        out = []
        for o in order.tolist():
            g = self.groups[gid[o]]
            i = int(idx[o])
            out.append(RowError(int(source_rows[i]), g[2], g[3](i)))
        return out


def validate(
    cols: Columns,
    *,
    fmt: FileFormat,
    tasks: Sequence[TaskSpec],
    task_titles: Sequence[str],
    task_columns: Sequence[int],
    roles: dict[str, int],
    titles: dict[str, str],
    default_login: str | None,
    cuts: tuple[int, int, int] | None,
    max_score: int | None,
    max_errors: int,
) -> ResultsFile:
    """Check every row and build the :class:`ResultsFile` (metadata left to the caller)."""
    n, k = cols.n, len(tasks)
    errors, warnings = _Problems(), _Problems()
    raw = cols.raw

    # --- task scores -----------------------------------------------------------------------
    values, status = cols.task_values, cols.task_status
    ok = status == STATUS_OK
    all_empty = (status == STATUS_EMPTY).all(axis=1) if k else np.zeros(n, bool)
    maxima = np.array([t.max_score if t.max_score is not None else 30_000 for t in tasks])
    # One pass over the whole matrix; only columns with a problem are looked at closely.
    problem = (
        (status >= STATUS_NOT_A_NUMBER)
        | (ok & ((values < 0) | (values > maxima[None, :])))
        | ((status == STATUS_EMPTY) & ~all_empty[:, None])
    )
    bad_task = problem.any(axis=1) if k else np.zeros(n, dtype=bool)
    for j in np.flatnonzero(problem.any(axis=0)).tolist():
        task = tasks[j]
        title, col = task_titles[j], task_columns[j]
        top = task.max_score
        v, s = values[:, j], status[:, j]
        hint = f"от 0 до {top}" if top is not None else "целым числом от 0"

        def not_number(i: int, col: int = col, hint: str = hint) -> str:
            cell = raw.get((i, col))
            shown = f"«{cell}» — не число" if cell else "Не число"
            return f"{shown}: балл должен быть {hint}, «X» или «-», если ответа нет"

        def not_integer(i: int, col: int = col) -> str:
            cell = raw.get((i, col))
            return f"Балл «{cell}» — не целое число" if cell else "Балл — не целое число"

        bad = [
            np.flatnonzero(s == STATUS_NOT_A_NUMBER),
            np.flatnonzero(s == STATUS_NOT_INTEGER),
            np.flatnonzero((s == STATUS_OK) & (v < 0)),
            np.flatnonzero((s == STATUS_EMPTY) & ~all_empty),
        ]
        errors.add(bad[0], col, title, not_number)
        errors.add(bad[1], col, title, not_integer)
        errors.add(bad[2], col, title, lambda i, v=v: f"Отрицательный балл {v[i]}")
        errors.add(
            bad[3], col, title, lambda i: "Пустая ячейка: укажите балл или «X», если ответа нет"
        )
        if top is not None:
            above = np.flatnonzero((s == STATUS_OK) & (v > top))
            errors.add(
                above,
                col,
                title,
                lambda i, v=v, top=top, num=task.number: (
                    f"Балл {v[i]} больше максимального ({top}) за задание {num}"
                ),
            )
    errors.add(
        np.flatnonzero(all_empty),
        -1,
        None,
        lambda i: (
            "Нет баллов за задания: укажите баллы («X» — нет ответа) или отметьте "
            "участника как «отсутствовал»"
        ),
    )
    bad_task |= all_empty

    scores = np.where(ok & ~problem, values, 0).astype(np.int16)
    unanswered = status == STATUS_UNANSWERED
    computed = scores.sum(axis=1, dtype=np.int32).astype(np.int16)

    # --- primary score, marks, variant -----------------------------------------------------
    primary = np.full(n, -1, dtype=np.int16)
    if h.PRIMARY in cols.int_roles:
        pv, ps = cols.int_values[h.PRIMARY], cols.int_status[h.PRIMARY]
        col, title = roles[h.PRIMARY], titles[h.PRIMARY]
        given = ps == STATUS_OK
        bad_primary = (
            (ps == STATUS_NOT_A_NUMBER) | (ps == STATUS_NOT_INTEGER) | (ps == STATUS_UNANSWERED)
        )
        errors.add(
            np.flatnonzero(bad_primary),
            col,
            title,
            lambda i, col=col: f"Первичный балл «{raw.get((i, col), '?')}» — не целое число",
        )
        negative = given & (pv < 0)
        errors.add(
            np.flatnonzero(negative), col, title, lambda i: f"Отрицательный первичный балл {pv[i]}"
        )
        if max_score is not None:
            over = given & (pv > max_score)
            errors.add(
                np.flatnonzero(over),
                col,
                title,
                lambda i: f"Первичный балл {pv[i]} больше максимального ({max_score})",
            )
        mismatch = given & ~negative & ~bad_task & (pv != computed)
        errors.add(
            np.flatnonzero(mismatch),
            col,
            title,
            lambda i: f"Первичный балл {pv[i]} не равен сумме баллов за задания ({computed[i]})",
        )
        primary = np.where(given & ~negative, pv, -1).astype(np.int16)

    mark = _mark_column(cols, h.MARK, roles, titles, errors, raw, journal=False)
    journal = _mark_column(cols, h.JOURNAL, roles, titles, errors, raw, journal=True)

    if cuts is not None and h.MARK in cols.int_roles:
        basis = np.where(primary >= 0, primary, computed)
        expected = mark_for_scores(basis, cuts)
        off = (mark > 0) & (mark != expected) & ~bad_task
        col, title = roles[h.MARK], titles[h.MARK]
        warnings.add(
            np.flatnonzero(off),
            col,
            title,
            lambda i: (
                f"Отметка {mark[i]} не соответствует шкале: при первичном балле {basis[i]} "
                f"полагается «{expected[i]}»"
            ),
        )

    variant = np.zeros(n, dtype=np.int16)
    if h.VARIANT in cols.int_roles:
        vv, vs = cols.int_values[h.VARIANT], cols.int_status[h.VARIANT]
        col, title = roles[h.VARIANT], titles[h.VARIANT]
        good = (vs == STATUS_OK) & (vv > 0)
        wrong = ~good & (vs != STATUS_EMPTY)
        errors.add(
            np.flatnonzero(wrong),
            col,
            title,
            lambda i, col=col: (
                f"Вариант «{raw.get((i, col)) or vv[i]}» — нужен номер варианта "
                "(целое число больше нуля)"
            ),
        )
        variant = np.where(good, vv, 0).astype(np.int16)

    # --- text columns ----------------------------------------------------------------------
    codes = np.array(cols.texts.get(h.CODE, [""] * n), dtype=object)
    col, title = roles.get(h.CODE, -1), titles.get(h.CODE)
    no_code = np.flatnonzero(codes == "")
    errors.add(no_code, col, title, lambda i: "Не указан код участника")
    code_problems = {
        c: problem
        for c in dict.fromkeys(codes.tolist())
        if c and (problem := participant_code_problem(c)) is not None
    }
    if code_problems:
        bad_code = np.fromiter(map(code_problems.__contains__, codes), dtype=bool, count=n)
        errors.add(np.flatnonzero(bad_code), col, title, lambda i: code_problems[codes[i]])

    logins, login_index = _logins(cols, fmt, roles, titles, default_login, errors)
    _duplicates(codes, login_index, col, title, cols.rows, errors)

    class_label = np.full(n, "", dtype=object)
    if h.CLASS in cols.texts:
        raw_labels = cols.texts[h.CLASS]
        label_problems = {
            t: problem
            for t in dict.fromkeys(raw_labels)
            if t and (problem := class_label_problem(t)) is not None
        }
        if label_problems:
            bad_label = np.fromiter(
                map(label_problems.__contains__, raw_labels), dtype=bool, count=n
            )
            errors.add(
                np.flatnonzero(bad_label),
                roles[h.CLASS],
                titles[h.CLASS],
                lambda i: label_problems[raw_labels[i]],
            )
        normalized = {t: normalize_class_label(t) for t in dict.fromkeys(raw_labels)}
        class_label = np.array(list(map(normalized.__getitem__, raw_labels)), dtype=object)
        warnings.add(
            np.flatnonzero(class_label == ""),
            roles[h.CLASS],
            titles[h.CLASS],
            lambda i: "Не указан класс",
        )

    sex = np.full(n, "", dtype=object)
    if h.SEX in cols.texts:
        raw_sex = cols.texts[h.SEX]
        seen = {t: normalize_sex(t) for t in dict.fromkeys(raw_sex)}
        unknown_values = {t for t, s in seen.items() if s is None}
        unknown = np.fromiter(map(unknown_values.__contains__, raw_sex), dtype=bool, count=n)
        stored = {t: s or "" for t, s in seen.items()}
        sex = np.array(list(map(stored.__getitem__, raw_sex)), dtype=object)
        warnings.add(
            np.flatnonzero(unknown),
            roles[h.SEX],
            titles[h.SEX],
            lambda i: f"Пол «{raw_sex[i]}» не распознан (нужно М или Ж); оставлен пустым",
        )

    error_list = errors.build(cols.rows, max_errors)
    warning_list = warnings.build(cols.rows, max_errors)
    return ResultsFile(
        format=fmt,
        filename="",
        sheet_name=None,
        test_hint=None,
        declared_max_score=None,
        declared_participants=None,
        tasks=list(tasks),
        header_row=0,
        column_titles=dict(titles),
        task_titles=list(task_titles),
        logins=logins,
        login_index=login_index,
        class_label=class_label,
        participant_code=codes,
        variant=variant,
        sex=sex,
        scores=scores,
        unanswered=unanswered,
        primary_score=primary,
        primary_score_computed=computed,
        mark=mark,
        journal_mark=journal,
        source_row=cols.rows,
        row_has_error=errors.mask(n),
        errors=error_list,
        error_count=errors.count(),
        warnings=warning_list,
        warning_count=warnings.count(),
        absent_rows=cols.absent_rows,
        blank_rows=cols.blank_rows,
    )


def _mark_column(
    cols: Columns,
    role: str,
    roles: dict[str, int],
    titles: dict[str, str],
    errors: _Problems,
    raw: dict[tuple[int, int], str],
    *,
    journal: bool,
) -> np.ndarray:
    n = cols.n
    if role not in cols.int_roles:
        return np.zeros(n, dtype=np.int8)
    v, s = cols.int_values[role], cols.int_status[role]
    col, title = roles[role], titles[role]
    good = (s == STATUS_OK) & (v >= 2) & (v <= 5)
    missing = (s == STATUS_EMPTY) | (s == STATUS_UNANSWERED)
    wrong = ~good & ~missing
    what = "Отметка по журналу" if journal else "Отметка"

    def message(i: int) -> str:
        shown = raw.get((i, col)) or str(v[i])
        if s[i] == STATUS_OK:
            return f"{what} {shown} вне диапазона 2–5"
        return f"{what} «{shown}» — допустимы 2, 3, 4, 5"

    errors.add(np.flatnonzero(wrong), col, title, message)
    return np.where(good, v, 0).astype(np.int8)


def _logins(
    cols: Columns,
    fmt: FileFormat,
    roles: dict[str, int],
    titles: dict[str, str],
    default_login: str | None,
    errors: _Problems,
) -> tuple[list[str], np.ndarray]:
    n = cols.n
    if h.LOGIN not in cols.texts:
        if default_login:
            return [default_login], np.zeros(n, dtype=np.int32)
        return [], np.full(n, -1, dtype=np.int32)
    raw_logins = cols.texts[h.LOGIN]
    col, title = roles[h.LOGIN], titles[h.LOGIN]
    index: dict[str, int] = {}
    mapping: dict[str, int] = {}  # raw text → index (-1 empty, -2 malformed)
    for text in dict.fromkeys(raw_logins):  # distinct values in order of appearance
        login = text.strip().lower()
        if not h.is_valid_login(login):
            # «МБОУ СОШ № 1 (edu501001)» in the ОО column: take the login out of it.
            found = _LOGIN_IN_TEXT.findall(login)
            if len(found) == 1:
                login = found[0]
        if not login:
            mapping[text] = -1
        elif h.is_valid_login(login):
            mapping[text] = index.setdefault(login, len(index))
        else:
            mapping[text] = -2
    order = list(index)  # logins in order of first appearance
    codes = np.fromiter(map(mapping.__getitem__, raw_logins), dtype=np.int32, count=n)
    errors.add(np.flatnonzero(codes == -1), col, title, lambda i: "Не указан логин ОО")
    errors.add(
        np.flatnonzero(codes == -2),
        col,
        title,
        lambda i: f"Логин ОО «{raw_logins[i]}» неверный: нужен edu и 6 цифр, например edu501001",
    )
    return order, np.where(codes >= 0, codes, -1).astype(np.int32)


def _duplicates(
    codes: np.ndarray,
    login_index: np.ndarray,
    col: int,
    title: str | None,
    source_rows: np.ndarray,
    errors: _Problems,
) -> None:
    """A participant code may appear once per school in one test (one file).

    Rows are sorted by (school, hash of the code); only runs of equal keys are compared as
    strings, so a million unique codes cost one hash each."""
    n = codes.shape[0]
    if n < 2:
        return
    code_list = codes.tolist()
    hashes = np.fromiter(map(hash, code_list), dtype=np.int64, count=n)
    order = np.lexsort((hashes, login_index))  # stable: equal keys keep file order
    same = (hashes[order][1:] == hashes[order][:-1]) & (
        login_index[order][1:] == login_index[order][:-1]
    )
    if not same.any():
        return
    dup_rows: list[int] = []
    first_rows: list[int] = []
    # Runs of equal keys: from each position where "same" starts to where it stops.
    edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
    for start, stop in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        seen: dict[str, int] = {}
        for i in order[start : stop + 1].tolist():
            code = code_list[i]
            if not code:
                continue
            if code in seen:
                dup_rows.append(i)
                first_rows.append(seen[code])
            else:
                seen[code] = i
    if not dup_rows:
        return
    first_of = dict(zip(dup_rows, first_rows, strict=True))
    errors.add(
        np.array(sorted(dup_rows), dtype=np.int64),
        col,
        title,
        lambda i: (
            f"Код участника {codes[i]} повторяется (впервые — в строке {source_rows[first_of[i]]})"
        ),
    )

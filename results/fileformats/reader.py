"""``read_results_file``: detect the format, find the header, read the rows in blocks."""

from __future__ import annotations

import logging
import operator
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from guarded_archive import ArchiveRefused, ZipLimits, verify_inflated

from . import headers as h
from .cells import (
    STATUS_ABSENT,
    STATUS_EMPTY,
    STATUS_NOT_A_NUMBER,
    STATUS_NOT_INTEGER,
    Block,
    RowBlock,
    is_absent_text,
)
from .schema import FileFormat, ResultsFile, ResultsFileError, RowError, TaskSpec
from .sniff import CORRUPT_FILE, sniff
from .sources import Sheet, calamine_sheets, csv_sheets, openpyxl_sheets
from .validation import Columns, validate
from .xlsx_stream import StreamUnsupported, stream_sheets

log = logging.getLogger(__name__)

Engine = Literal["auto", "stream", "calamine", "openpyxl"]

TOP_ROWS = 60
FALLBACK_ZIP_LIMITS = ZipLimits().with_total(256 * 1024 * 1024)

NO_HEADER = (
    "Не найдена строка заголовка таблицы. Нужны столбцы «Код участника» (или «Код») и "
    "столбцы заданий вида «1 (2б)», «9.1 (1б)». Загрузите выгрузку «Индивидуальные "
    "результаты» из ФИС ОКО или форму сбора результатов без изменения заголовков."
)
NO_ROWS = "В файле нет ни одной строки с результатами участников: под строкой заголовка пусто."


def too_big_for_fallback(limit: int) -> str:
    return (
        f"Файл слишком велик для чтения в этом виде: после распаковки больше "
        f"{limit // (1024 * 1024)} МБ, а записан он программой, чей формат портал читает "
        "только целиком. Откройте файл в Excel, сохраните как «Книга Excel (.xlsx)» и "
        "загрузите снова."
    )


def names_refusal(title: str) -> str:
    return (
        f"Столбец «{title}» похож на фамилии или имена участников. Персональные данные "
        "загружать нельзя (152-ФЗ): удалите этот столбец, оставьте только коды участников, "
        "и загрузите файл снова."
    )


def _cell_texts(cells: Sequence[object]) -> list[str]:
    return [h.display_title(c) if c not in (None, "") else "" for c in cells]


@dataclass
class _Found:
    sheet: Sheet
    header: h.Header
    above: list[Sequence[object]]
    levels_row: Sequence[object] | None
    header_cells: Sequence[object] = ()


def _find_header(sheets: Iterator[Sheet]) -> _Found:
    """The first sheet with a recognisable header row (names columns refuse the file)."""
    names_title = None
    for sheet in sheets:
        top = sheet.top_rows(TOP_ROWS)
        for pos, (row_number, cells) in enumerate(top):
            header = h.recognise_header(row_number, cells)
            if header is None:
                names_title = names_title or h.looks_like_names_header(cells)
                continue
            if header.names_column:
                raise ResultsFileError(names_refusal(header.names_column))
            above = [c for _, c in top[:pos]]
            levels = top[pos - 1][1] if pos and top[pos - 1][0] == row_number - 1 else None
            return _Found(sheet, header, above, levels, cells)
    if names_title:
        raise ResultsFileError(names_refusal(names_title))
    raise ResultsFileError(NO_HEADER)


def _sheets(
    path: str | os.PathLike[str], container: str, engine: str, options: _Options
) -> Iterator[Sheet]:
    if container == "text":
        return csv_sheets(path)
    if engine == "stream":
        return stream_sheets(path, options.zip_limits)
    if container in ("xlsx", "ods", "xlsb"):
        # calamine and openpyxl unzip by themselves and hold a whole sheet in memory: inflate
        # every part once first, counting the bytes really produced, within the lower cap.
        try:
            verify_inflated(path, options.fallback_zip_limits)
        except ArchiveRefused as e:
            if e.reason not in ("total", "part"):
                raise
            # Not a bomb (it passed the main limits): too big for the whole-sheet readers.
            limit = (options.fallback_zip_limits or FALLBACK_ZIP_LIMITS).max_total_bytes
            raise ResultsFileError(too_big_for_fallback(limit)) from None
    if engine == "calamine":
        return calamine_sheets(path)
    return openpyxl_sheets(path)


def _engines(container: str, engine: Engine) -> list[str]:
    if container == "text":
        return ["csv"]
    if engine != "auto":
        return [engine]
    if container == "xlsx":
        return ["stream", "calamine", "openpyxl"]
    return ["calamine"]  # xls, xlsb, ods: openpyxl cannot read them


@dataclass
class _Options:
    filename: str
    expected_tasks: list[TaskSpec] | None
    cuts: tuple[int, int, int] | None
    max_score: int | None
    max_errors: int
    default_login: str | None
    progress: Callable[[float], None] | None = None
    zip_limits: ZipLimits | None = None
    fallback_zip_limits: ZipLimits | None = None


def read_results_file(
    path: str | os.PathLike[str],
    *,
    filename: str,
    expected_tasks: Sequence[TaskSpec] | None = None,
    cuts: tuple[int, int, int] | None = None,
    max_score: int | None = None,
    max_errors: int = 5000,
    default_login: str | None = None,
    progress: Callable[[float], None] | None = None,
    engine: Engine = "auto",
    zip_limits: ZipLimits | None = None,
    fallback_zip_limits: ZipLimits | None = None,
) -> ResultsFile:
    """Read and validate a VPR results file; never raises for bad input.

    The format is detected from the bytes and the header, not from ``filename`` (which is
    used in messages only): the ФИС ОКО export F1 «Индивидуальные результаты» (xlsx, with or
    without title rows, one school or a whole municipality), the school's collection form
    (xlsx), or CSV with the F1 header (utf-8, utf-8-sig, cp1251 or utf-16; «;», «,» or tab).
    Legacy .xls, .xlsb and .ods are read through calamine.

    Arguments:
        expected_tasks: the catalog's tasks of the chosen test. When given, the file's task
            columns must match them (numbers and maxima, in any order), else the file is
            refused naming the mismatched columns; the result's tasks then follow the
            catalog's order and take maxima and levels from it where the file has none.
        cuts: minimum primary scores for marks 3, 4 and 5. When given, a mark that does not
            match the scale is kept and reported in ``warnings`` (sign h).
        max_score: the test's maximum primary score; a different «Максимальный первичный
            балл» in the file refuses it, a larger primary score is a row error.
        max_errors: at most this many ``errors`` (and as many ``warnings``) are listed;
            ``error_count`` and ``warning_count`` count them all.
        default_login: the school login for files without an «ОО» column (the collection
            form); rows of such files otherwise get ``login_index`` -1.
        progress: called after each block of rows (every few thousand) with the share of
            the file read so far, 0–1, for a progress bar; reading is most of the import.
        engine: "auto" (streaming scanner for xlsx, then calamine, then openpyxl) or one of
            them, for tests and benchmarks.
        zip_limits: what an xlsx/ods/xlsb container may hold (entries, inflated size,
            compression ratio; :class:`guarded_archive.ZipLimits`), checked from its
            central directory before anything is parsed; the streaming scanner's reads are
            capped as well. ``fallback_zip_limits``: the lower cap for calamine and openpyxl,
            which hold a whole sheet in memory (default: 256 MB inflated).

    Returns a :class:`ResultsFile`. Whole-file refusals (empty or corrupt file, a Word
    document, a password-protected or macro-enabled workbook, no header, a names column,
    no data rows, task columns of another test) come back with ``fatal`` set and empty
    arrays. Only the caller's own mistakes raise: a missing ``path`` (``OSError``) or a
    malformed ``default_login`` (``ValueError``).
    """
    options = _Options(
        filename=filename,
        expected_tasks=list(expected_tasks) if expected_tasks is not None else None,
        cuts=cuts,
        max_score=max_score,
        max_errors=max_errors,
        default_login=default_login,
        progress=progress,
        zip_limits=zip_limits,
        fallback_zip_limits=fallback_zip_limits or FALLBACK_ZIP_LIMITS,
    )
    os.stat(path)  # a missing file is not bad input
    if default_login is not None:
        options.default_login = default_login.strip().lower()
        if not h.is_valid_login(options.default_login):
            raise ValueError(f"default_login must look like edu501001, got {default_login!r}")
    try:
        container = sniff(path, zip_limits)
        engines = _engines(container, engine)
        last_error: Exception | None = None
        for name in engines:
            try:
                return _read_with(path, container, name, options)
            except ResultsFileError:
                raise
            except ArchiveRefused as e:
                raise ResultsFileError(e.message_ru) from None
            except StreamUnsupported as e:
                log.info("stream scanner left %s to calamine: %s", filename, e)
                last_error = e
            except MemoryError:
                raise
            except Exception as e:
                log.warning("engine %s could not read %s: %r", name, filename, e)
                last_error = e
        log.warning("no engine could read %s: %r", filename, last_error)
        raise ResultsFileError(CORRUPT_FILE)
    except ResultsFileError as e:
        return ResultsFile.refused(filename=filename, message_ru=e.message_ru)


def _read_with(
    path: str | os.PathLike[str], container: str, engine: str, options: _Options
) -> ResultsFile:
    found = _find_header(_sheets(path, container, engine, options))
    return _parse(found, "csv" if container == "text" else None, options)


def _parse(found: _Found, fmt: FileFormat | None, options: _Options) -> ResultsFile:
    header = found.header
    meta = h.parse_metadata(found.above)
    tasks = list(header.tasks)
    levels = h.parse_levels(found.levels_row, header) if found.levels_row is not None else []
    tasks = [
        TaskSpec(t.number, t.max_score, levels[j] if j < len(levels) else None)
        for j, t in enumerate(tasks)
    ]
    if fmt is None:
        fmt = "f1" if h.LOGIN in header.roles else "collection"

    # Match the catalog's tasks and put columns into the catalog's order.
    task_columns = list(header.task_columns)
    task_titles = list(header.task_titles)
    if options.expected_tasks is not None:
        mismatches = h.match_tasks(tasks, options.expected_tasks)
        if mismatches:
            shown = "; ".join(mismatches[:20])
            more = f" и ещё {len(mismatches) - 20}" if len(mismatches) > 20 else ""
            raise ResultsFileError(
                "Столбцы заданий в файле не совпадают с заданиями выбранной работы: "
                f"{shown}{more}. Проверьте, что выбрана нужная работа (предмет, класс, год)."
            )
        position = {h.normalize_task_number(t.number): j for j, t in enumerate(tasks)}
        order = [position[h.normalize_task_number(t.number)] for t in options.expected_tasks]
        tasks = [
            TaskSpec(
                e.number,
                e.max_score if e.max_score is not None else tasks[j].max_score,
                e.level or tasks[j].level,
            )
            for e, j in zip(options.expected_tasks, order, strict=False)
        ]
        task_columns = [task_columns[j] for j in order]
        task_titles = [task_titles[j] for j in order]

    if (
        options.max_score is not None
        and meta.declared_max_score is not None
        and meta.declared_max_score != options.max_score
    ):
        raise ResultsFileError(
            f"В файле максимальный первичный балл {meta.declared_max_score}, а у выбранной "
            f"работы — {options.max_score}. Проверьте, что выбрана нужная работа."
        )

    columns = _read_columns(found, task_columns, options)
    if columns.n == 0:
        raise ResultsFileError(NO_ROWS)

    default_login = options.default_login or (meta.org_login if fmt != "f1" else None)
    result = validate(
        columns,
        fmt=fmt,
        tasks=tasks,
        task_titles=task_titles,
        task_columns=task_columns,
        roles=header.roles,
        titles=header.titles,
        default_login=default_login,
        cuts=options.cuts,
        max_score=options.max_score,
        max_errors=options.max_errors,
    )
    result.filename = options.filename
    result.sheet_name = found.sheet.name
    result.test_hint = meta.hint
    result.declared_max_score = meta.declared_max_score
    result.declared_participants = meta.declared_participants
    result.header_row = header.row
    result.column_titles = dict(header.titles)
    result.ignored_columns = list(header.ignored)
    _file_level_warnings(result, header, meta)
    return result


def _file_level_warnings(result: ResultsFile, header: h.Header, meta: h.Metadata) -> None:
    notes: list[RowError] = []
    for title in header.duplicates:
        notes.append(RowError(header.row, title, "Повторяющийся столбец пропущен"))
    task_sum = result.max_score
    declared = meta.declared_max_score
    if declared is not None and task_sum is not None and declared != task_sum:
        notes.append(
            RowError(
                0,
                None,
                f"В шапке указан максимальный первичный балл {declared}, "
                f"а сумма максимумов заданий — {task_sum}",
            )
        )
    if (
        meta.declared_participants is not None
        and len(result.logins) <= 1
        and meta.declared_participants != result.n_rows
    ):
        notes.append(
            RowError(
                0,
                None,
                f"В шапке указано участников: {meta.declared_participants}, "
                f"а строк с результатами в файле: {result.n_rows}",
            )
        )
    result.warnings[:0] = notes
    result.warning_count += len(notes)


def _read_columns(found: _Found, task_columns: list[int], options: _Options) -> Columns:
    """Read every data block into columnar arrays, dropping blank and absent rows."""
    header = found.header
    roles = header.roles
    k = len(task_columns)
    int_roles = [r for r in (h.VARIANT, h.PRIMARY, h.MARK, h.JOURNAL) if r in roles]
    text_roles = [r for r in (h.LOGIN, h.CODE, h.CLASS, h.SEX) if r in roles]
    cols = Columns(k=k, int_roles=int_roles, text_roles=text_roles)
    raw_budget = options.max_errors

    for block in found.sheet.blocks(header.row + 1, header.width):
        if options.progress is not None:
            options.progress(block.done)
        n = block.rows.shape[0]
        all_codes = block.int_code_matrix(task_columns + [roles[r] for r in int_roles])
        task_codes = all_codes[:, :k]
        ints = {r: all_codes[:, k + i] for i, r in enumerate(int_roles)}
        txts = {r: block.texts(roles[r]) for r in text_roles}
        if isinstance(block, RowBlock):  # the xlsx scanner shares its strings already
            for r in (h.LOGIN, h.CLASS, h.SEX):
                if r in txts:
                    txts[r] = _shared_strings(txts[r])

        statuses = task_codes & 7
        empty_tasks = (statuses == STATUS_EMPTY).all(axis=1)
        absent = (statuses == STATUS_ABSENT).any(axis=1)
        for codes in ints.values():
            absent |= (codes & 7) == STATUS_ABSENT
        code_text = txts.get(h.CODE)
        code_empty = (
            np.fromiter(map(operator.not_, code_text), dtype=bool, count=n)
            if code_text is not None
            else np.ones(n, dtype=bool)
        )
        if code_text is not None and empty_tasks.any():
            # A municipal export may separate schools by a title row whose text falls into
            # the code column: with no scores and text no code looks like (spaces, long or
            # without digits) it is a section row, not a pupil.
            for i in np.flatnonzero(empty_tasks & ~code_empty).tolist():
                text = code_text[i]
                if " " in text or len(text) > 20 or not any(ch.isdigit() for ch in text):
                    code_empty[i] = True
        for r in (h.CLASS, h.SEX):
            if r in txts:
                absent |= _absent_mask(txts[r])
        blank = empty_tasks & code_empty
        if h.PRIMARY in ints:
            blank &= (ints[h.PRIMARY] & 7) == STATUS_EMPTY
        cols.absent_rows += int((absent & ~blank).sum())
        keep = ~(blank | absent)
        cols.blank_rows += int(blank.sum())
        idx = np.flatnonzero(keep)
        if idx.size == 0:
            continue

        # Remember the raw text of unreadable cells for the messages (bounded).
        if raw_budget > 0:
            for j, col in enumerate(task_columns):
                raw_budget = _remember_raw(cols, block, idx, task_codes[idx, j], col, raw_budget)
            for r in int_roles:
                raw_budget = _remember_raw(cols, block, idx, ints[r][idx], roles[r], raw_budget)

        cols.append(
            rows=block.rows[idx],
            task_codes=task_codes[idx],
            ints={r: v[idx] for r, v in ints.items()},
            texts={r: [v[i] for i in idx] for r, v in txts.items()} if idx.size != n else txts,
        )
    cols.finish()
    return cols


def _shared_strings(values: list[str]) -> list[str]:
    """The same list with equal strings as one object: a million rows of CSV otherwise keep
    a million copies of each school's login and class label."""
    canonical = {v: v for v in dict.fromkeys(values)}
    return list(map(canonical.__getitem__, values))


def _absent_mask(values: list[str]) -> np.ndarray:
    """Rows whose text says the pupil was absent; checks each distinct value once."""
    hits = {v for v in set(values) if v and is_absent_text(v)}
    if not hits:
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(map(hits.__contains__, values), dtype=bool, count=len(values))


def _remember_raw(
    cols: Columns, block: Block, idx: np.ndarray, codes: np.ndarray, col: int, budget: int
) -> int:
    status = codes & 7
    bad = np.flatnonzero((status == STATUS_NOT_A_NUMBER) | (status == STATUS_NOT_INTEGER))
    for b in bad[:budget].tolist():
        cols.raw[(cols.n + b, col)] = block.raw(int(idx[b]), col)
    return budget - min(budget, bad.size)


def read_source_rows(
    path: str | os.PathLike[str], row_numbers: set[int], zip_limits: ZipLimits | None = None
) -> tuple[list[str], dict[int, list[str]]]:
    """The header and the given rows of a readable file, as text (for the error report).

    Streams the file again, keeping only the wanted rows; returns ([], {}) if the file
    cannot be read."""
    try:
        container = sniff(path, zip_limits)
    except ResultsFileError:
        return [], {}
    for name in _engines(container, "auto"):
        try:
            options = _Options("", None, None, None, 0, None, None, zip_limits, FALLBACK_ZIP_LIMITS)
            found = _find_header(_sheets(path, container, name, options))
            header_cells = _cell_texts(found.header_cells)
            width = len(header_cells)
            wanted = np.array(sorted(row_numbers), dtype=np.int64)
            rows: dict[int, list[str]] = {}
            for block in found.sheet.blocks(found.header.row + 1, width):
                hit = np.flatnonzero(np.isin(block.rows, wanted))
                for i in hit.tolist():
                    rows[int(block.rows[i])] = [block.raw(i, c) for c in range(width)]
            return header_cells, rows
        except Exception as e:  # try the next engine, else give up quietly
            log.info("engine %s could not re-read %s for the report: %r", name, path, e)
    return [], {}

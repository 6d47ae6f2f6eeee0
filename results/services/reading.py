"""The one place that talks to the Django-free reader (results.fileformats).

It turns the reader's :class:`ResultsFile` into :class:`PreparedResults` for the catalog's
test and the registry's schools, or refuses the file with a Russian message. Keeping the
reader's names here means a change in that package touches one module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from guarded_archive import limits_from_settings
from results.fileformats import (
    ResultsFile,
    RowError,
    TaskSpec,
    TestHint,
    mark_for_scores,
    match_tasks,
    normalize_task_number,
    read_results_file,
)
from results.models import Test
from results.services import upload_rules
from results.services.storage import MAX_TASKS, PreparedResults
from schools.models import Municipality, School

#: Problems listed in the error report (the counts stay exact beyond it).
MAX_LISTED_ERRORS = 5000
#: Longest texts the columns hold.
MAX_CODE_LENGTH = 40
MAX_CLASS_LENGTH = 16


@dataclass
class Refusal(Exception):
    """The file is not applied. ``message_ru`` for the page; ``errors`` for the report."""

    message_ru: str
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rows_rejected: int = 0
    rows_total: int = 0
    #: The parsed file, when the refusal is about its rows (the report then notes the
    #: errors beyond the listed ones).
    results_file: ResultsFile | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        super().__init__(self.message_ru)


@dataclass
class ReadOutcome:
    data: PreparedResults
    file_format: str
    rows_absent: int
    warnings: list[RowError]
    warning_count: int
    mark_mismatch_count: int


def task_specs(test: Test) -> list[TaskSpec]:
    return [TaskSpec(t.number, t.max_score, t.level or None) for t in test.tasks.all()]


def _test_label(hint: TestHint) -> str:
    parts = ["ВПР"]
    if hint.year:
        parts.append(str(hint.year))
    if hint.subject:
        parts.append(hint.subject)
    if hint.grade:
        parts.append(f"{hint.grade} класс")
    return " ".join(parts)


def test_from_hint(hint: TestHint | None) -> Test:
    """The catalog's test named by the file's title, or a refusal saying what is missing."""
    if hint is None or not (hint.year and hint.subject and hint.grade):
        raise Refusal(
            "Не удалось определить работу по файлу: в нём нет заголовка вида «ВПР 2026 "
            "Русский язык 4 класс». Выберите работу в форме загрузки (или --test-id)."
        )
    candidates = list(
        Test.objects.filter(year=hint.year, subject__iexact=hint.subject, grade=hint.grade)
    )
    if hint.session and len(candidates) > 1:
        candidates = [t for t in candidates if t.session == hint.session] or candidates
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise Refusal(
            f"Работы «{_test_label(hint)}» нет в каталоге. Администратор добавляет работы "
            "в каталог (раздел администрирования или команда import_catalog)."
        )
    raise Refusal(
        f"В каталоге несколько работ «{_test_label(hint)}» (весна и осень): выберите "
        "работу в форме загрузки."
    )


def check_hint_matches(hint: TestHint | None, test: Test) -> None:
    """A file titled for another test is refused even if its columns happen to fit."""
    if hint is None:
        return
    differs = (
        (hint.year is not None and hint.year != test.year)
        or (hint.grade is not None and hint.grade != test.grade)
        or (hint.subject is not None and hint.subject.lower() != test.subject.lower())
    )
    if differs:
        raise Refusal(
            f"Файл — результаты «{_test_label(hint)}», а выбрана работа «{test}». "
            "Выберите нужную работу или загрузите другой файл."
        )


def _read(
    path: str | os.PathLike[str],
    *,
    filename: str,
    test: Test | None,
    login: str | None,
    progress: Callable[[float], None] | None = None,
):
    if test is None:
        return read_results_file(
            path,
            filename=filename,
            max_errors=MAX_LISTED_ERRORS,
            default_login=login,
            progress=progress,
            zip_limits=limits_from_settings(),
            fallback_zip_limits=limits_from_settings("fallback"),
        )
    return read_results_file(
        path,
        filename=filename,
        expected_tasks=task_specs(test),
        cuts=test.cuts,
        max_score=test.max_score,
        max_errors=MAX_LISTED_ERRORS,
        default_login=login,
        progress=progress,
        zip_limits=limits_from_settings(),
        fallback_zip_limits=limits_from_settings("fallback"),
    )


def read_for_test(
    path: str | os.PathLike[str],
    *,
    filename: str,
    test: Test | None,
    school: School | None,
    progress: Callable[[float], None] | None = None,
) -> tuple[ResultsFile, Test, bool]:
    """Read the file for the chosen test, or for the test its title names.

    Returns the parsed file, the test and whether the task columns are already in the
    catalog's order. A file whose title names the test is read once: its columns are
    matched to the catalog here; only a file whose task titles lack maxima is read again
    with the catalog's tasks, so that every score is checked against its maximum.
    """
    login = school.login if school else None
    result = _read(path, filename=filename, test=test, login=login, progress=progress)
    if result.fatal:
        raise Refusal(result.fatal)
    if test is not None:
        check_hint_matches(result.test_hint, test)
        return result, test, True
    test = test_from_hint(result.test_hint)
    mismatches = match_tasks(result.tasks, task_specs(test))
    if mismatches:
        shown = "; ".join(mismatches[:20])
        more = f" и ещё {len(mismatches) - 20}" if len(mismatches) > 20 else ""
        raise Refusal(
            f"Столбцы заданий в файле не совпадают с заданиями работы «{test}» из каталога: "
            f"{shown}{more}."
        )
    if result.declared_max_score is not None and result.declared_max_score != test.max_score:
        raise Refusal(
            f"В файле максимальный первичный балл {result.declared_max_score}, а у работы "
            f"«{test}» в каталоге — {test.max_score}. Проверьте каталог или файл."
        )
    if any(t.max_score is None for t in result.tasks):
        del result
        result = _read(path, filename=filename, test=test, login=login, progress=progress)
        if result.fatal:
            raise Refusal(result.fatal)
        return result, test, True
    return result, test, False


def _catalog_order(result: ResultsFile, test: Test) -> list[int]:
    position = {normalize_task_number(t.number): j for j, t in enumerate(result.tasks)}
    return [position[normalize_task_number(t.number)] for t in test.tasks.all()]


def _listed(rows: np.ndarray, source_rows: np.ndarray, column: str, message) -> list[RowError]:
    return [
        RowError(int(source_rows[i]), column, message(i)) for i in rows[:MAX_LISTED_ERRORS].tolist()
    ]


def resolve_schools(
    result: ResultsFile,
    *,
    school: School | None,
    municipality: Municipality | None,
    allowed: Iterable[int] | None,
) -> list[School]:
    """The registry's school for each login of the file, checked against the upload's scope.

    ``allowed``: ids of schools the uploader may write (None: any, for the CLI).
    """
    login_title = result.column_titles.get("login") or "ОО"
    if not result.logins:
        raise Refusal(
            "В файле нет столбца «ОО» с логином школы: для формы сбора результатов выберите "
            "ОО при загрузке (--school в командной строке)."
        )
    known = {
        s.login: s
        for s in School.objects.filter(login__in=result.logins).select_related("municipality")
    }
    unknown = [login for login in result.logins if login not in known]
    if unknown:
        missing = np.isin(
            result.login_index, [result.logins.index(login) for login in unknown]
        ).nonzero()[0]
        raise Refusal(
            f"В реестре нет ОО с логинами: {upload_rules.login_list_text(unknown)}. "
            "Добавьте их в реестр ОО или исправьте логины в файле; файл не загружен.",
            errors=_listed(
                missing,
                result.source_row,
                login_title,
                lambda i: f"ОО {result.logins[result.login_index[i]]} нет в реестре",
            ),
            error_count=int(missing.size),
            rows_rejected=int(missing.size),
            rows_total=result.n_rows,
        )
    schools = [known[login] for login in result.logins]
    refusal = upload_rules.scope_refusal(
        schools, school=school, municipality=municipality, allowed=allowed
    )
    if refusal is not None:
        raise Refusal(refusal)
    return schools


def _length_errors(result: ResultsFile) -> tuple[np.ndarray, list[RowError]]:
    """Codes and class labels longer than the columns hold are row errors."""
    too_long = np.zeros(result.n_rows, dtype=bool)
    errors: list[RowError] = []
    for role, values, limit, what in (
        ("code", result.participant_code, MAX_CODE_LENGTH, "Код участника"),
        ("class", result.class_label, MAX_CLASS_LENGTH, "Класс"),
    ):
        lengths = np.fromiter(map(len, values.tolist()), dtype=np.int32, count=result.n_rows)
        bad = np.flatnonzero(lengths > limit)
        too_long[bad] = True
        title = result.column_titles.get(role) or what
        errors += _listed(
            bad, result.source_row, title, lambda i, w=what, m=limit: f"{w} длиннее {m} символов"
        )
    return too_long, errors


def prepare(
    result: ResultsFile, *, test: Test, schools: list[School], in_catalog_order: bool
) -> ReadOutcome:
    """Check what the reader leaves to us and convert the columns for storage."""
    if len(result.tasks) > MAX_TASKS:
        raise Refusal(f"В работе «{test}» больше {MAX_TASKS} заданий: такие не поддерживаются.")
    too_long, length_errors = _length_errors(result)
    if not result.ok or too_long.any():
        rejected = result.row_has_error | too_long
        error_count = result.error_count + int(too_long.sum())
        raise Refusal(
            f"Файл не загружен: ошибок — {error_count}, строк с ошибками — "
            f"{int(rejected.sum())} из {result.n_rows}. Исправьте их и загрузите файл снова; "
            "все ошибки перечислены в отчёте (XLSX).",
            errors=sorted(result.errors + length_errors, key=lambda e: e.row)[:MAX_LISTED_ERRORS],
            error_count=error_count,
            rows_rejected=int(rejected.sum()),
            rows_total=result.n_rows,
            results_file=None if length_errors else result,
        )
    scores, unanswered = result.scores, result.unanswered
    if not in_catalog_order:
        order = _catalog_order(result, test)
        scores, unanswered = scores[:, order], unanswered[:, order]
    k = scores.shape[1]
    computed = scores.sum(axis=1, dtype=np.int32).astype(np.int16)
    primary = np.where(result.primary_score >= 0, result.primary_score, computed).astype(np.int16)
    scale = mark_for_scores(primary, test.cuts).astype(np.int16)
    given = result.mark.astype(np.int16)
    matches = (given == 0) | (given == scale)
    warnings = list(result.warnings)
    warning_count = result.warning_count
    mismatch = np.flatnonzero(~matches)
    if not in_catalog_order and mismatch.size:
        # The reader checks marks only when it knows the scale (a chosen test).
        title = result.column_titles.get("mark") or "Отметка"
        warnings += _listed(
            mismatch,
            result.source_row,
            title,
            lambda i: (
                f"Отметка {given[i]} не соответствует шкале: за {primary[i]} первичных баллов "
                f"полагается «{scale[i]}»"
            ),
        )
        warning_count += int(mismatch.size)
    bits = np.left_shift(np.int64(1), np.arange(k, dtype=np.int64))
    data = PreparedResults(
        test=test,
        schools=schools,
        school_index=result.login_index.astype(np.int32),
        class_label=result.class_label,
        participant_code=result.participant_code,
        variant=result.variant.astype(np.int16),
        sex=result.sex,
        scores=np.ascontiguousarray(scores, dtype=np.int16),
        unanswered_mask=(unanswered.astype(np.int64) * bits).sum(axis=1, dtype=np.int64),
        primary_score=primary,
        mark=np.where(given > 0, given, scale).astype(np.int16),
        mark_matches_scale=matches,
        journal_mark=result.journal_mark.astype(np.int16),
        source_row=result.source_row.astype(np.int32),
    )
    return ReadOutcome(
        data=data,
        file_format=result.format,
        rows_absent=result.absent_rows,
        warnings=warnings[:MAX_LISTED_ERRORS],
        warning_count=warning_count,
        mark_mismatch_count=int(mismatch.size),
    )

"""Believable F1 exports («Индивидуальные результаты») for tests, demos and benchmarks.

The xlsx is written directly as SpreadsheetML into a zip (shared strings, one sheet), which
is ~10× faster than openpyxl's write-only mode and still opens in Excel, LibreOffice,
calamine and openpyxl. The layout follows the ФИС ОКО export: title, «Предмет»,
«Максимальный первичный балл», «Дата», the organisation row (for a one-school file), the
row of task levels and the header, then one row per participant.

Usage::

    from results.fileformats.synthetic import generate_f1, write_f1_xlsx, RUSSIAN_4_2026

    data = generate_f1(tasks=RUSSIAN_4_2026.tasks, cuts=RUSSIAN_4_2026.cuts,
                       schools=50, rows=1_000_000, seed=1)
    write_f1_xlsx("municipality.xlsx", data)
    write_f1_csv("municipality.csv", data)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np

from .schema import TaskSpec

__all__ = [
    "MATHS_4_2022",
    "RUSSIAN_4_2026",
    "SyntheticF1",
    "SyntheticTest",
    "f1_header",
    "generate_f1",
    "write_f1_csv",
    "write_f1_xlsx",
]


@dataclass(frozen=True)
class SyntheticTest:
    """A test to generate results for: tasks, cut scores for 3/4/5 and the title parts."""

    year: int
    subject: str
    grade: int
    tasks: tuple[TaskSpec, ...]
    cuts: tuple[int, int, int]

    @property
    def max_score(self) -> int:
        return sum(t.max_score or 0 for t in self.tasks)


def _tasks(spec: str) -> tuple[TaskSpec, ...]:
    """Parse "1:2:Б 2:1:П ..." into task specs."""
    out = []
    for item in spec.split():
        number, max_score, level = item.split(":")
        out.append(TaskSpec(number, int(max_score), level))
    return tuple(out)


#: Russian 4, 2026: 12 tasks, max 24, «3» from 10, «4» from 16, «5» from 21 (domain brief §4).
RUSSIAN_4_2026 = SyntheticTest(
    2026,
    "Русский язык",
    4,
    _tasks("1:2:Б 2:1:Б 3:2:Б 4:3:Б 5:2:Б 6:1:Б 7:1:П 8:2:Б 9:3:Б 10:3:П 11:1:Б 12:3:П"),
    (10, 16, 21),
)
#: Mathematics 4, 2022: 15 tasks, max 20 (scale of 2019–2020: 6 / 10 / 15).
MATHS_4_2022 = SyntheticTest(
    2022,
    "Математика",
    4,
    _tasks(
        "1:1:Б 2:1:Б 3:2:Б 4:1:Б 5.1:1:Б 5.2:1:П 6.1:1:Б 6.2:1:П 7:1:Б 8:2:Б "
        "9.1:1:Б 9.2:1:П 10:2:П 11:2:П 12:2:П"
    ),
    (6, 10, 15),
)

_MUNICIPALITY = "Городской округ Синеозёрск"
_CLASS_LETTERS = "АБВГ"


@dataclass
class SyntheticF1:
    """Generated results in columnar form; what a correct reader must return."""

    test: SyntheticTest
    logins: list[str]
    school_names: list[str]
    login_index: np.ndarray  # int32
    class_label: np.ndarray  # object
    participant_code: np.ndarray  # int64
    variant: np.ndarray  # int16
    scores: np.ndarray  # int16 n × k
    unanswered: np.ndarray  # bool n × k
    primary_score: np.ndarray  # int16
    mark: np.ndarray  # int8
    journal_mark: np.ndarray  # int8, 0 = missing

    @property
    def n_rows(self) -> int:
        return int(self.login_index.shape[0])


def marks_for(primary: np.ndarray, cuts: tuple[int, int, int]) -> np.ndarray:
    """Mark 2–5 for each primary score under the scale ``cuts`` = minimum for 3, 4, 5."""
    return (2 + np.searchsorted(np.asarray(cuts), primary, side="right")).astype(np.int8)


def generate_f1(
    *,
    test: SyntheticTest = RUSSIAN_4_2026,
    schools: int = 1,
    rows: int = 100,
    seed: int = 0,
    region: int = 50,
    inflated_schools: int = 0,
) -> SyntheticF1:
    """Generate ``rows`` participants spread over ``schools`` schools, reproducibly.

    Each pupil has an ability drawn from a Beta distribution around a school mean; task
    scores are binomial in the task max; about 3 % of tasks are left unanswered («X»).
    Journal marks agree with the VPR mark about 60 % of the time, otherwise differ by one,
    and are missing for about 2 % of pupils. The last ``inflated_schools`` schools look
    non-objective: pupils just below a cut score are lifted to it and every journal mark
    matches.
    """
    rng = np.random.default_rng(seed)
    k = len(test.tasks)
    maxima = np.array([t.max_score or 0 for t in test.tasks], dtype=np.int16)
    logins = [f"edu{region:02d}{1001 + i:04d}" for i in range(schools)]
    names = [f"МБОУ «Средняя общеобразовательная школа № {i + 1}»" for i in range(schools)]

    # Split rows over schools as evenly as possible, schools stored contiguously.
    sizes = np.full(schools, rows // schools, dtype=np.int64)
    sizes[: rows % schools] += 1
    login_index = np.repeat(np.arange(schools, dtype=np.int32), sizes)
    starts = np.cumsum(sizes) - sizes
    within = np.arange(rows, dtype=np.int64) - np.repeat(starts, sizes)

    school_mean = rng.uniform(0.45, 0.75, schools)
    p = rng.beta(4 * school_mean[login_index] * 2, 4 * (1 - school_mean[login_index]) * 2)
    scores = rng.binomial(maxima[None, :], p[:, None]).astype(np.int16)
    unanswered = rng.random((rows, k)) < 0.03 * (1.5 - p[:, None])
    scores[unanswered] = 0
    primary = scores.sum(axis=1, dtype=np.int16)
    mark = marks_for(primary, test.cuts)

    inflated = login_index >= schools - inflated_schools
    if inflated_schools:
        # Lift scores one or two points below a cut to the cut, on the last task with room.
        cuts = np.array(test.cuts)
        gap = cuts[None, :] - primary[:, None]
        near = ((gap >= 1) & (gap <= 2)).any(axis=1) & inflated
        for i in np.flatnonzero(near):
            need = int(gap[i][(gap[i] >= 1) & (gap[i] <= 2)][0])
            for j in range(k - 1, -1, -1):
                room = int(maxima[j] - scores[i, j])
                add = min(room, need)
                if add:
                    scores[i, j] += add
                    unanswered[i, j] = False
                    need -= add
                if not need:
                    break
        primary = scores.sum(axis=1, dtype=np.int16)
        mark = marks_for(primary, test.cuts)

    shift = rng.choice(np.array([-1, 0, 0, 0, 1], dtype=np.int8), rows)
    journal = np.clip(mark + shift, 2, 5).astype(np.int8)
    journal[inflated] = mark[inflated]
    journal[rng.random(rows) < 0.02] = 0

    classes_per_school = 1 + (sizes - 1) // 25
    class_no = within % np.repeat(np.maximum(classes_per_school, 1), sizes)
    letters = np.array([f"{test.grade}{_CLASS_LETTERS[i % 4]}" for i in range(4)], dtype=object)
    class_label = letters[class_no % 4]
    variant = (1 + (within % 2)).astype(np.int16)
    code = 10001 + within

    return SyntheticF1(
        test=test,
        logins=logins,
        school_names=names,
        login_index=login_index,
        class_label=class_label,
        participant_code=code,
        variant=variant,
        scores=scores,
        unanswered=unanswered,
        primary_score=primary,
        mark=mark,
        journal_mark=journal,
    )


def f1_header(test: SyntheticTest) -> list[str]:
    """Header row of the F1 export for ``test``."""
    return [
        "ОО",
        "Муниципалитет",
        "Название ОО",
        "Код участника",
        "Класс",
        "Вариант",
        *[f"{t.number} ({t.max_score}б)" for t in test.tasks],
        "Первичный балл",
        "Отметка",
        "Отметка по журналу",
    ]


def _title_rows(data: SyntheticF1, date: dt.date) -> list[list[object]]:
    t = data.test
    rows: list[list[object]] = [
        [f"ВПР {t.year} {t.subject} {t.grade} класс"],
        ["Предмет", t.subject],
        ["Максимальный первичный балл", t.max_score],
        ["Дата", date.strftime("%d.%m.%Y")],
    ]
    if len(data.logins) == 1:
        rows.append(
            [f"{data.school_names[0]} ({data.logins[0]}) | Кол-во участников: {data.n_rows}"]
        )
    rows.append([])
    return rows


def _column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, s: str) -> int:
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = len(self.index)
        return i

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in self.index)
        n = len(self.index)
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{n}" uniqueCount="{n}">{items}</sst>'
        )


def _cell(ref: str, value: object, sst: _SharedStrings) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, (int, np.integer)):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    return f'<c r="{ref}" t="s"><v>{sst(str(value))}</v></c>'


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Индивидуальные результаты" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

_CHUNK_ROWS = 20_000


def write_f1_xlsx(
    path: str | os.PathLike[str], data: SyntheticF1, *, date: dt.date | None = None
) -> None:
    """Write ``data`` as a ФИС ОКО F1 xlsx (title rows, levels row, header, participants)."""
    test = data.test
    date = date or dt.date(test.year, 4, 15)
    header = f1_header(test)
    k = len(test.tasks)
    letters = [_column_letter(i) for i in range(len(header))]
    sst = _SharedStrings()

    top = _title_rows(data, date)
    top.append([""] * 6 + [t.level or "" for t in test.tasks])
    top.append(header)
    first_data_row = len(top) + 1

    # Per-column cell fragments with a %d placeholder for the row number, so a data row is
    # one string join. Task values are precomputed for 0..max and for «X».
    x_index = sst("X")
    task_frag: list[dict[int, str]] = []
    task_letters = [letters[6 + j] for j in range(k)]
    for j, t in enumerate(test.tasks):
        col = task_letters[j]
        frags = {v: f'<c r="{col}%(r)d"><v>{v}</v></c>' for v in range((t.max_score or 0) + 1)}
        frags[-1] = f'<c r="{col}%(r)d" t="s"><v>{x_index}</v></c>'
        task_frag.append(frags)
    login_frag = [f'<c r="A%(r)d" t="s"><v>{sst(x)}</v></c>' for x in data.logins]
    muni_frag = f'<c r="B%(r)d" t="s"><v>{sst(_MUNICIPALITY)}</v></c>'
    name_frag = [f'<c r="C%(r)d" t="s"><v>{sst(x)}</v></c>' for x in data.school_names]
    class_frag = {c: f'<c r="E%(r)d" t="s"><v>{sst(c)}</v></c>' for c in set(data.class_label)}
    lp, lm, lj = letters[6 + k], letters[7 + k], letters[8 + k]

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            out.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<dimension ref="A1:{letters[-1]}{first_data_row + data.n_rows - 1}"/>'
                "<sheetData>"
            )
            for r, values in enumerate(top, start=1):
                cells = "".join(_cell(f"{letters[c]}{r}", v, sst) for c, v in enumerate(values))
                out.write(f'<row r="{r}">{cells}</row>')
            task_codes = np.where(data.unanswered, -1, data.scores)
            for start in range(0, data.n_rows, _CHUNK_ROWS):
                stop = min(start + _CHUNK_ROWS, data.n_rows)
                parts = []
                for i in range(start, stop):
                    r = first_data_row + i
                    school = data.login_index[i]
                    tasks = "".join(
                        frags.get(v) or f'<c r="{c}%(r)d"><v>{v}</v></c>'
                        for frags, c, v in zip(
                            task_frag, task_letters, task_codes[i].tolist(), strict=True
                        )
                    )
                    journal = int(data.journal_mark[i])
                    parts.append(
                        (
                            f'<row r="{r}">'
                            + login_frag[school]
                            + muni_frag
                            + name_frag[school]
                            + f'<c r="D%(r)d"><v>{data.participant_code[i]}</v></c>'
                            + class_frag[data.class_label[i]]
                            + f'<c r="F%(r)d"><v>{data.variant[i]}</v></c>'
                            + tasks
                            + f'<c r="{lp}%(r)d"><v>{data.primary_score[i]}</v></c>'
                            + f'<c r="{lm}%(r)d"><v>{data.mark[i]}</v></c>'
                            + (f'<c r="{lj}%(r)d"><v>{journal}</v></c>' if journal else "")
                            + "</row>"
                        )
                        % {"r": r}
                    )
                out.write("".join(parts))
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        zf.writestr("xl/sharedStrings.xml", sst.xml())


def write_f1_csv(
    path: str | os.PathLike[str],
    data: SyntheticF1,
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
) -> None:
    """Write ``data`` as CSV with the F1 header (no title rows), «X» for unanswered tasks."""
    test = data.test
    names = np.array(data.school_names, dtype=object)
    logins = np.array(data.logins, dtype=object)
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(f1_header(test))
        for start in range(0, data.n_rows, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, data.n_rows)
            sl = slice(start, stop)
            tasks = np.where(data.unanswered[sl], "X", data.scores[sl].astype(str)).tolist()
            journal = np.where(data.journal_mark[sl] > 0, data.journal_mark[sl].astype(str), "")
            writer.writerows(
                [lg, _MUNICIPALITY, nm, code, cl, var, *t, ps, mk, jm]
                for lg, nm, code, cl, var, t, ps, mk, jm in zip(
                    logins[data.login_index[sl]].tolist(),
                    names[data.login_index[sl]].tolist(),
                    data.participant_code[sl].tolist(),
                    data.class_label[sl].tolist(),
                    data.variant[sl].tolist(),
                    tasks,
                    data.primary_score[sl].tolist(),
                    data.mark[sl].tolist(),
                    journal.tolist(),
                    strict=False,
                )
            )


def task_specs(test: SyntheticTest) -> list[TaskSpec]:
    """The test's tasks as a list (what a catalog would pass as ``expected_tasks``)."""
    return list(test.tasks)


def main(argv: list[str] | None = None) -> None:
    """``python -m results.fileformats.synthetic OUT.xlsx|OUT.csv --rows N --schools M``."""
    import argparse

    parser = argparse.ArgumentParser(description="Write a synthetic ФИС ОКО F1 export.")
    parser.add_argument("out", help="output path; .csv writes CSV, anything else xlsx")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--inflated-schools", type=int, default=0)
    parser.add_argument("--test", choices=["russian4-2026", "maths4-2022"], default="russian4-2026")
    args = parser.parse_args(argv)
    test = RUSSIAN_4_2026 if args.test == "russian4-2026" else MATHS_4_2022
    data = generate_f1(
        test=test,
        schools=args.schools,
        rows=args.rows,
        seed=args.seed,
        inflated_schools=args.inflated_schools,
    )
    if str(args.out).lower().endswith(".csv"):
        write_f1_csv(args.out, data)
    else:
        write_f1_xlsx(args.out, data)


if __name__ == "__main__":
    main()

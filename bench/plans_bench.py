"""Plans: printing a plan to PDF and importing a .docx, against baselines in the same process.

Targets (issue 3): PDF of a 300-item plan ≤ 3 s, of a 16-item plan ≤ 1 s; import of a
300-item .docx ≤ 2 s. Each figure is the best of a few warm runs (the first render of a
process also loads fonts and WeasyPrint itself; that cost is reported separately).
Runs in a throwaway test database created here, whatever DATABASE_URL points at.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

_WORDS = [
    "организация",
    "проведение",
    "анализ",
    "результатов",
    "всероссийских",
    "проверочных",
    "работ",
    "обеспечение",
    "объективности",
    "оценивания",
    "совещание",
    "руководителей",
    "общеобразовательных",
    "организаций",
    "методических",
    "объединений",
    "учителей-предметников",
    "перепроверка",
    "муниципальной",
    "предметной",
    "комиссией",
    "размещение",
    "информации",
    "на",
    "официальном",
    "сайте",
]
_DEADLINES = ["Февраль", "Март - апрель 2024", "В течение года", "20.03-26.03.2024", "Май 2024г."]
_PARTIES = ["Отдел образования", "Руководители ОО", "ИМЦ", "И.В. Петрова", "руководители РМО"]


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def plan_rows(items: int, *, sections: int = 10, seed: int = 3) -> list[list[str]]:
    """Header row, section rows and item rows of a believable plan table."""
    rng = random.Random(seed)
    rows = [["№ п/п", "Мероприятие", "Срок", "Ответственные", "Ожидаемый результат"]]
    per_section = items // sections
    for s in range(1, sections + 1):
        rows.append([f"{s}. Направление {s}: {_sentence(rng, 6)}"] * 5)
        count = per_section if s < sections else items - per_section * (sections - 1)
        for i in range(1, count + 1):
            rows.append(
                [
                    f"{s}.{i}.",
                    # Lengths follow the seed plans: text ~130 characters (median),
                    # expected result ~40, often none.
                    _sentence(rng, rng.randint(5, 18)),
                    rng.choice(_DEADLINES),
                    ", ".join(rng.sample(_PARTIES, rng.randint(1, 3))),
                    _sentence(rng, rng.randint(2, 8)) if rng.random() < 0.8 else "",
                ]
            )
    return rows


def plan_docx(items: int) -> bytes:
    import docx

    rows = plan_rows(items)
    document = docx.Document()
    document.add_paragraph(
        "План мероприятий по обеспечению объективности ВПР в 2023-2024 учебном году"
    )
    table = document.add_table(rows=len(rows), cols=5)
    for row, values in zip(table.rows, rows, strict=True):
        if len(set(values)) == 1:  # a section row: one merged cell, as Word users do
            merged = row.cells[0].merge(row.cells[4])
            merged.text = values[0]
            continue
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read_docx_plainly(data: bytes) -> int:
    """The baseline: python-docx's plain API, every cell's text, nothing else."""
    import docx

    document = docx.Document(io.BytesIO(data))
    return sum(
        len(cell.text) for table in document.tables for row in table.rows for cell in row.cells
    )


@dataclass(frozen=True)
class Timing:
    seconds: float  # best wall-clock time
    cpu_seconds: float  # best CPU time: steadier on a machine shared with other work


def best_of(function: Callable[[], Any], repeat: int) -> Timing:
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return Timing(min(wall), min(cpu))


@contextmanager
def throwaway_database() -> Iterator[None]:
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _measure(
    name: str,
    timing: Timing,
    baseline: str,
    baseline_timing: Timing,
    target: float | None = None,
    **extra,
) -> dict:
    row = {
        "name": name,
        "seconds": timing.seconds,
        "cpu_seconds": timing.cpu_seconds,
        "baseline": baseline,
        "baseline_seconds": baseline_timing.seconds,
        "ratio": timing.seconds / baseline_timing.seconds,
        **extra,
    }
    if target is not None:
        row.update(target=f"≤ {target:g} s", passed=timing.seconds <= target)
    return row


def run() -> list[dict]:
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    with throwaway_database():
        from plans.models import Item
        from plans.services import output, schedule
        from plans.services.importing import import_plan, import_plan_document
        from schools.models import Municipality, Region

        schedule.vpr_dates = lambda **kwargs: []  # no observers schedule in this database
        municipality = Municipality.objects.create(
            region=Region.objects.create(name="Бенчмарк"), name="Город"
        )
        # Baseline: the same code path (template, fonts, WeasyPrint) for a one-line plan.
        one_line = import_plan(
            data={
                "title": "План",
                "period": {"start": None, "end": None},
                "sections": [
                    {
                        "number": None,
                        "title": None,
                        "items": [
                            {
                                "number": "1",
                                "text": "Совещание",
                                "deadline": {"text": "", "kind": "unknown", "windows": []},
                                "responsible": [],
                                "expected_result": None,
                                "children": [],
                            }
                        ],
                    }
                ],
            },
            municipality=municipality,
        )

        def empty_pdf() -> bytes:
            return output.render_plan_pdf(plan=one_line)

        started = time.perf_counter()
        empty_pdf()
        first_render = time.perf_counter() - started  # loads WeasyPrint and the fonts
        baseline_pdf = best_of(empty_pdf, 5)

        rows: list[dict] = []
        big_docx = plan_docx(300)
        plan_300 = import_plan_document(
            source=big_docx, filename="plan-300.docx", municipality=municipality
        )
        assert Item.objects.filter(plan=plan_300).count() == 300
        pdf_300 = best_of(lambda: output.render_plan_pdf(plan=plan_300), 3)
        rows.append(
            _measure(
                "PDF of a 300-item plan",
                pdf_300,
                "one-line plan PDF",
                baseline_pdf,
                3,
                note=f"landscape A4; a new process adds {first_render:.2f} s for the first render",
            )
        )

        for number in ("002", "001", "003"):
            paths = sorted(SEEDS.glob(f"{number}_*.txt"))
            if not paths:
                continue
            plan = import_plan_document(
                source=paths[0].read_bytes(), filename=paths[0].name, municipality=municipality
            )
            count = Item.objects.filter(plan=plan).count()
            seconds = best_of(lambda plan=plan: output.render_plan_pdf(plan=plan), 5)
            rows.append(
                _measure(
                    f"PDF of a {count}-item plan (seed {number})",
                    seconds,
                    "one-line plan PDF",
                    baseline_pdf,
                    1,
                )
            )

        baseline_docx = best_of(lambda: read_docx_plainly(big_docx), 5)
        imports = []

        def import_once() -> None:
            imports.append(
                import_plan_document(
                    source=big_docx, filename="plan-300.docx", municipality=municipality
                )
            )

        import_seconds = best_of(import_once, 3)
        rows.append(
            _measure(
                "import of a 300-item .docx (parse + save)",
                import_seconds,
                "python-docx: read every cell's text",
                baseline_docx,
                2,
                note=f"{len(big_docx) // 1024} KB .docx",
            )
        )
        from plans.services.documents import read_plan_document

        parse = best_of(lambda: read_plan_document(source=big_docx, filename="p.docx"), 3)
        rows.append(
            _measure(
                "parse only, 300-item .docx",
                parse,
                "python-docx: read every cell's text",
                baseline_docx,
            )
        )
        xlsx = best_of(lambda: output.render_plan_xlsx(plan=plan_300), 3)
        rows.append(_measure("XLSX export, 300 items", xlsx, "one-line plan PDF", baseline_pdf))
    return rows


if __name__ == "__main__":
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    import django

    django.setup()
    for row in run():
        print(row)

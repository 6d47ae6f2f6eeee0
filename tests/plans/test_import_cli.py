"""import_plan on bad input: a clear Russian message, exit code ≠ 0, no traceback, nothing saved.

The command runs through manage.py's own entry point (argv in, exit code out); one test
runs it in a real process.
"""

import os
import random
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import ManagementUtility

from plans.models import Item, Plan
from tests.plans.conftest import HEADER, docx_plan, seed_path, xlsx_plan

CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the command as manage.py does (argv → exit code), in this test's database."""
    # run_from_argv closes every connection when it ends; on PostgreSQL that would end
    # the test's own transaction, so the close is skipped here (a real process exits).
    with mock.patch("django.core.management.base.connections.close_all"):
        try:
            ManagementUtility(["manage.py", "import_plan", *args]).execute()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_refused(code: int, out: str, err: str, *words: str) -> None:
    assert code != 0
    assert "Traceback" not in err and "Traceback" not in out
    message = err.lower()
    assert set(message) & CYRILLIC, err
    assert "ничего не сохранено" in message
    for word in words:
        assert word.lower() in message, err


def assert_nothing_saved() -> None:
    assert not Plan.objects.exists() and not Item.objects.exists()


def random_text() -> bytes:
    rng = random.Random(7)
    words = ["объективность", "погода", "кошка", "12", "море", "—", "и", "ВПР"]
    return "\n".join(" ".join(rng.choice(words) for _ in range(8)) for _ in range(20)).encode()


BAD_INPUTS = {
    "random-text.txt": (random_text, ()),
    "empty-table.docx": (lambda: docx_plan([HEADER]), ()),
    "no-tables.docx": (
        lambda: docx_plan([], paragraphs=["План мероприятий", "Просто текст без таблицы"]),
        ("таблиц",),
    ),
    "corrupt.docx": (lambda: b"PK\x03\x04 this is not really a zip archive", ("повреждён",)),
    "renamed-workbook.docx": (
        lambda: xlsx_plan([HEADER, ["1", "Совещание", "Март 2024", "Отдел образования"]]),
        ("excel",),
    ),
    "empty.txt": (lambda: b"", ("пуст",)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_refused_with_a_russian_message_and_saves_nothing(
    name, tmp_path, municipality, capsys
):
    build, words = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(build())
    assert_refused(*run_cli(capsys, str(path)), *words)
    assert_nothing_saved()


def test_a_real_process_exits_non_zero_without_a_traceback(tmp_path):
    path = tmp_path / "corrupt.docx"
    path.write_bytes(b"PK\x03\x04 broken")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_plan", str(path)],
        cwd=settings.BASE_DIR,
        # Reading fails before the database is touched: this file is never created.
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Файл повреждён" in result.stderr and "ничего не сохранено" in result.stderr


@pytest.mark.django_db
def test_a_missing_file_is_refused_in_russian(tmp_path, municipality, capsys):
    assert_refused(*run_cli(capsys, str(tmp_path / "нет-такого.docx")), "не найден")


@pytest.mark.django_db
def test_a_declared_format_that_contradicts_the_file_is_refused(tmp_path, municipality, capsys):
    path = tmp_path / "plan.bin"
    path.write_bytes(docx_plan([HEADER, ["1", "Совещание", "Март 2024", "УО"]]))
    assert_refused(*run_cli(capsys, str(path), "--format", "xlsx"))
    assert_nothing_saved()


@pytest.mark.django_db
def test_without_a_municipality_to_own_it_the_plan_is_refused(capsys):
    assert_refused(*run_cli(capsys, str(seed_path("004"))), "муниципалитет")
    assert_nothing_saved()


@pytest.mark.django_db
def test_dry_run_reads_a_good_plan_but_saves_nothing(municipality, capsys):
    code, out, err = run_cli(capsys, str(seed_path("004")), "--dry-run")
    assert code == 0, err
    assert "не сохранён" in out and "всего: 13" in out
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_docx_plan_is_saved_and_its_id_printed(tmp_path, municipality, capsys, no_schedule):
    path = tmp_path / "план.docx"
    path.write_bytes(
        docx_plan(
            [
                HEADER,
                ["1.", "Совещание с руководителями ОО", "Март 2024", "Отдел образования"],
                ["2.", "Анализ результатов ВПР", "Май 2024", "ИМЦ, руководители ОО"],
            ],
            paragraphs=["План мероприятий по обеспечению объективности ВПР в 2024 году"],
        )
    )
    code, out, err = run_cli(capsys, str(path))
    assert code == 0, err
    plan = Plan.objects.get(pk=int(out.strip()))
    assert plan.items.count() == 2 and plan.source_format == "docx"

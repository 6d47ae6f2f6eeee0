"""`manage.py import_results`: the same service as the page, a summary, a JSON mode."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from results.models import PupilResult, Upload
from tests.results.conftest import f1_file

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_results", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_imports_and_prints_rows_per_school(tmp_path, russian4, synthetic_schools):
    path, _ = f1_file(tmp_path, schools=2, rows=30)
    output = run(path)
    assert "Строк загружено: 30; строк с ошибками: 0." in output
    assert "edu501001: 15" in output and "edu501002: 15" in output
    assert PupilResult.objects.count() == 30


def test_json_summary_has_exactly_the_four_keys(tmp_path, russian4, synthetic_schools):
    path, _ = f1_file(tmp_path, schools=2, rows=30)
    summary = json.loads(run(path, "--json"))
    assert summary == {
        "applied": 30,
        "rejected": 0,
        "unchanged": False,
        "schools": {"edu501001": 15, "edu501002": 15},
    }


def test_an_identical_file_again_is_unchanged_and_exits_zero(tmp_path, russian4, synthetic_schools):
    path, _ = f1_file(tmp_path, schools=2, rows=30)
    run(path, "--json")
    uploads_before = Upload.objects.count()
    rows_before = set(PupilResult.objects.values_list("pk", flat=True))
    summary = json.loads(run(path, "--json"))
    assert summary == {
        "applied": 0,
        "rejected": 0,
        "unchanged": True,
        "schools": {"edu501001": 15, "edu501002": 15},
    }
    assert Upload.objects.count() == uploads_before
    assert set(PupilResult.objects.values_list("pk", flat=True)) == rows_before


def test_a_refused_file_exits_non_zero_with_json_on_stdout(tmp_path, russian4, synthetic_schools):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    out = StringIO()
    with pytest.raises(CommandError, match="Файл пуст"):
        call_command("import_results", str(path), "--json", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue()) == {
        "applied": 0,
        "rejected": 0,
        "unchanged": False,
        "schools": {},
    }


def test_rows_with_errors_are_counted_as_rejected(tmp_path, russian4, synthetic_schools):
    from results.fileformats.synthetic import write_f1_xlsx

    _, data = f1_file(tmp_path, rows=20)
    data.scores[:3, 0] = 7  # task 1 has max 2
    data.primary_score[:3] = data.scores[:3].sum(axis=1)
    path = tmp_path / "bad.xlsx"
    write_f1_xlsx(path, data)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_results", str(path), "--json", stdout=out, stderr=StringIO())
    summary = json.loads(out.getvalue())
    assert summary["applied"] == 0 and summary["rejected"] == 3
    assert not PupilResult.objects.exists()


def test_school_option_limits_the_file_to_that_school(tmp_path, russian4, synthetic_schools):
    path, _ = f1_file(tmp_path, schools=2, rows=30)
    with pytest.raises(CommandError, match="других ОО"):
        call_command(
            "import_results",
            str(path),
            "--school",
            "edu501001",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    single, _ = f1_file(tmp_path, schools=1, rows=12, seed=3)
    assert "edu501001: 12" in run(single, "--school", "edu501001")


def test_test_id_chooses_the_test(tmp_path, russian4, synthetic_schools):
    path, _ = f1_file(tmp_path, csv=True)
    with pytest.raises(CommandError, match="Выберите работу"):
        call_command("import_results", str(path), stdout=StringIO(), stderr=StringIO())
    assert "Строк загружено: 40" in run(path, "--test-id", russian4.pk)


def test_unknown_test_id_and_school_are_clear_errors(tmp_path, russian4):
    path, _ = f1_file(tmp_path)
    with pytest.raises(CommandError, match="нет работы с id 999"):
        run(path, "--test-id", 999)
    with pytest.raises(CommandError, match="нет ОО с логином edu000000"):
        run(path, "--school", "edu000000")
    with pytest.raises(CommandError, match="Файл не найден"):
        run(tmp_path / "missing.xlsx")


def test_the_same_data_in_another_file_then_that_file_again_stores_nothing_new(
    tmp_path, russian4, synthetic_schools
):
    from results.fileformats.synthetic import write_f1_csv

    path, data = f1_file(tmp_path, schools=2, rows=30)
    run(path)
    csv_path = tmp_path / "same-data.csv"
    write_f1_csv(csv_path, data)
    assert json.loads(run(csv_path, "--json", "--test-id", russian4.pk))["unchanged"] is True
    uploads_before = Upload.objects.count()
    assert json.loads(run(csv_path, "--json", "--test-id", russian4.pk))["unchanged"] is True
    assert Upload.objects.count() == uploads_before

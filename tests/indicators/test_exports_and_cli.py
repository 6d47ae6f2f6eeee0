"""export_signs (JSON, XLSX), compute_indicators, the official list and the agreement."""

import io
import json

from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from results.indicators import official_list, services
from results.models import SchoolTestIndicator
from schools.models import School


def test_compute_indicators_command_runs_the_service(synthetic, municipality):
    out = io.StringIO()
    call_command(
        "compute_indicators",
        "--year",
        "2026",
        "--municipality",
        municipality.name,
        "--json",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["tests_evaluated"] == 1 and summary["municipality"] == "Город А"
    assert SchoolTestIndicator.objects.filter(school__municipality__name="Район Б").exists()


def test_export_signs_json_has_one_record_per_school_and_test(synthetic, tmp_path, capsysbinary):
    services.compute_indicators(year=2026)
    path = tmp_path / "signs.json"
    call_command("export_signs", "--year", "2026", "--format", "json", "--out", str(path))
    records = json.loads(path.read_text())
    assert len(records) == SchoolTestIndicator.objects.count() == 60
    record = records[0]
    assert set(record) == {"school", "subject", "grade", "n", "signs", "flagged", "strength"}
    assert record["school"].startswith("edu") and isinstance(record["grade"], int)
    for sign in record["signs"].values():
        assert set(sign) == {"p", "effect"}
    small = [r for r in records if r["n"] < 20]
    assert small  # schools with too few pupils are listed too
    assert all(not r["flagged"] for r in small if "h" not in r["signs"])


def test_the_official_list_exports_in_the_rosobrnadzor_layout(synthetic, tmp_path):
    services.compute_indicators(year=2026)
    path = tmp_path / "list.xlsx"
    call_command("export_signs", "--year", "2026", "--format", "xlsx", "--out", str(path))
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header == ["Год", "Логин", "ОО", "Муниципалитет", "4 РУ", "Количество маркеров"]
    flagged = SchoolTestIndicator.objects.filter(flagged=True).count()
    assert sheet.max_row - 1 == flagged


def test_an_imported_official_list_is_compared_with_ours(synthetic):
    services.compute_indicators(year=2026)
    ours = list(
        SchoolTestIndicator.objects.filter(flagged=True).values_list("school__login", flat=True)
    )
    honest = SchoolTestIndicator.objects.filter(flagged=False).values_list(
        "school__login", flat=True
    )[0]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ОО с признаками необъективности результатов"])
    sheet.append(["Год", "Логин", "ОО", "Муниципалитет", "4 РУ", "4 МА", "Количество маркеров"])
    sheet.append([2026, ours[0], "Школа", "Город А", 1, 0, 1])
    sheet.append([2026, honest, "Школа", "Город А", 0, 1, 1])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    official_list.import_official_list(file=data, filename="bias.xlsx")
    result = official_list.agreement(2026, School.objects.all())
    assert [r.login for r in result.both] == [ours[0]]
    assert [r.login for r in result.only_theirs] == [honest]
    assert sorted(r.login for r in result.only_ours) == sorted(ours[1:])


def test_the_agreement_page_shows_three_groups(client, synthetic, staff_user):
    services.compute_indicators(year=2026)
    client.force_login(staff_user)
    response = client.get("/results/indicators/official-list/?year=2026")
    assert response.status_code == 200
    assert "Только у нас" in response.content.decode()
    xlsx = client.get("/results/indicators/official-list.xlsx?year=2026")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

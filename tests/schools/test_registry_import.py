import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from schools.models import Municipality, School, SchoolType
from schools.services import RegistryImportError, import_school_registry

HEADER = ["Логин", "Наименование", "Краткое наименование", "Муниципалитет", "Тип", "Местность"]


def xlsx_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    lines = [";".join(HEADER)] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


GOOD_ROWS = [
    ["edu123001", "МБОУ «СОШ № 1»", "СОШ № 1", "Город А", "школа", "город"],
    ["edu123002", "МАОУ «Лицей № 2»", "Лицей № 2", "Город А", "лицей", "город"],
    ["edu123003", "МКОУ «СОШ с. Берёзовка»", "", "Район Б", "", "село"],
]


@pytest.mark.django_db
def test_it_imports_schools_and_creates_municipalities_on_first_sight(region):
    report = import_school_registry(
        user=None, source=io.BytesIO(xlsx_bytes(GOOD_ROWS)), filename="reestr.xlsx", region=region
    )
    assert (report.created, report.updated) == (3, 0)
    assert sorted(report.municipalities_created) == ["Город А", "Район Б"]
    lyceum = School.objects.get(login="edu123002")
    assert lyceum.school_type == SchoolType.LYCEUM
    assert lyceum.municipality.name == "Город А"
    assert School.objects.get(login="edu123003").locality == "village"


@pytest.mark.django_db
def test_reimport_updates_schools_by_login(region):
    import_school_registry(
        user=None, source=io.BytesIO(xlsx_bytes(GOOD_ROWS)), filename="a.xlsx", region=region
    )
    changed = [
        ["edu123001", "МБОУ «Средняя школа № 1»", "Школа № 1", "Район Б", "гимназия", "село"]
    ]
    report = import_school_registry(
        user=None, source=io.BytesIO(csv_bytes(changed, "cp1251")), filename="b.csv", region=region
    )
    assert (report.created, report.updated) == (0, 1)
    school = School.objects.get(login="edu123001")
    assert school.full_name == "МБОУ «Средняя школа № 1»"
    assert school.school_type == SchoolType.GYMNASIUM
    assert school.municipality.name == "Район Б"
    assert School.objects.count() == 3


@pytest.mark.django_db
def test_a_bad_row_refuses_the_whole_file_with_per_row_messages(region):
    rows = [
        GOOD_ROWS[0],
        ["", "Школа без логина", "", "Город А", "школа", ""],
        ["edu12345", "Школа с коротким логином", "", "Город А", "школа", ""],
        ["edu123009", "Школа странного типа", "", "Город А", "академия", ""],
    ]
    with pytest.raises(RegistryImportError) as caught:
        import_school_registry(
            user=None, source=io.BytesIO(xlsx_bytes(rows)), filename="r.xlsx", region=region
        )
    errors = caught.value.errors
    assert any(e.startswith("Строка 3") and "логин не указан" in e for e in errors)
    assert any(e.startswith("Строка 4") and "edu12345" in e for e in errors)
    assert any(e.startswith("Строка 5") and "неизвестный тип «академия»" in e for e in errors)
    assert School.objects.count() == 0
    assert Municipality.objects.count() == 0


@pytest.mark.django_db
def test_missing_required_column_is_named(region):
    data = xlsx_bytes([["edu123001", "СОШ"]], header=["Логин", "Наименование"])
    with pytest.raises(RegistryImportError) as caught:
        import_school_registry(user=None, source=io.BytesIO(data), filename="r.xlsx", region=region)
    assert "Муниципалитет" in caught.value.errors[0]


@pytest.mark.django_db
def test_a_word_document_named_xlsx_is_refused_clearly(region):
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(RegistryImportError) as caught:
        import_school_registry(
            user=None, source=io.BytesIO(buffer.getvalue()), filename="r.xlsx", region=region
        )
    assert "документ Word" in caught.value.errors[0]


@pytest.mark.django_db
def test_duplicate_logins_in_one_file_are_refused(region):
    rows = [GOOD_ROWS[0], GOOD_ROWS[0]]
    with pytest.raises(RegistryImportError) as caught:
        import_school_registry(
            user=None, source=io.BytesIO(xlsx_bytes(rows)), filename="r.xlsx", region=region
        )
    assert "уже встречался в строке 2" in caught.value.errors[0]


@pytest.mark.django_db
def test_cli_exits_nonzero_with_russian_messages_and_saves_nothing(tmp_path, region, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [["", "Без логина", "", "Город А", "", ""], ["edu1", "Х", "", "Город А", "вуз", ""]]
        )
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_schools", str(path))
    assert "ничего не сохранено" in str(caught.value)
    stderr = capsys.readouterr().err
    assert "Строка 2, столбец «Логин»: логин не указан." in stderr
    assert "Строка 3, столбец «Тип»: неизвестный тип «вуз»" in stderr
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_cli_imports_a_good_file(tmp_path, region, capsys):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("import_schools", str(path))
    assert "Создано ОО: 3" in capsys.readouterr().out
    assert School.objects.count() == 3

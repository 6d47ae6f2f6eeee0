"""The rules that refuse an upload, called directly (the pages and imports test them end to end)."""

from types import SimpleNamespace

from django.test import override_settings

from results.services import upload_rules


@override_settings(PORTAL_RESULTS_MAX_UPLOAD_MB=1)
def test_a_file_over_the_page_limit_is_sent_to_the_command():
    refusal = upload_rules.file_refusal(name="results.xlsx", size=1024 * 1024 + 1)
    assert refusal == "Файл больше 1 МБ: такие загружаются командой import_results."


def test_a_file_that_is_not_a_spreadsheet_or_csv_is_refused():
    assert upload_rules.file_refusal(name="results.pdf", size=10) == (
        "Загрузите файл Excel (.xlsx) или CSV."
    )
    assert upload_rules.file_refusal(name="RESULTS.XLSX", size=10) is None


def test_a_school_of_another_municipality_is_refused():
    school = SimpleNamespace(municipality_id=2)
    assert upload_rules.school_outside_municipality(school, SimpleNamespace(pk=1)) == (
        "Эта ОО относится к другому муниципалитету."
    )
    assert upload_rules.school_outside_municipality(school, SimpleNamespace(pk=2)) is None
    assert upload_rules.school_outside_municipality(None, SimpleNamespace(pk=1)) is None


def test_schools_outside_the_uploaders_scope_are_named():
    schools = [
        SimpleNamespace(pk=1, login="sch1", municipality_id=1),
        SimpleNamespace(pk=2, login="sch2", municipality_id=1),
    ]
    refusal = upload_rules.scope_refusal(schools, school=None, municipality=None, allowed=[1])
    assert refusal == (
        "Вы не можете загружать результаты ОО sch2: они вне вашей зоны ответственности."
    )
    assert upload_rules.scope_refusal(schools, school=None, municipality=None, allowed=None) is None


def test_a_long_list_of_logins_is_cut_after_thirty():
    text = upload_rules.login_list_text([f"s{i}" for i in range(32)])
    assert text.endswith("s29 и ещё 2")

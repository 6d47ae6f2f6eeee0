"""seed_demo's results: imported through the real service, believable, with inflation.

Seeding takes seconds, so one test checks the whole picture and one the re-run.
"""

import random

import pytest

from results import demo
from results.models import PupilResult, ResultVersion, Test, Upload, UploadSource, UploadStatus
from results.selectors import reports
from schools import demo as schools_demo
from schools.models import Region
from tests import factories

pytestmark = pytest.mark.django_db


def seed() -> tuple[dict, str]:
    context: dict = {}
    schools_demo.seed(rng=random.Random(2026), context=context)
    return context["schools"], demo.seed(rng=random.Random(7), context=context)


def groups(report) -> dict:
    return {g["level"]: g for g in report["groups"]}


def test_seed_demo_imports_believable_results_with_a_few_inflating_schools():
    schools, summary = seed()
    staff = factories.make_region_staff(region=Region.objects.get(name=schools_demo.REGION_NAME))

    # Two years of Russian and mathematics in grades 4 and 5, through the real import.
    tests = Test.objects.filter(pk__in=PupilResult.objects.values("test_id"))
    assert {(t.year, t.subject, t.grade) for t in tests} == {
        (year, subject, grade)
        for year in (2025, 2026)
        for subject in ("Русский язык", "Математика")
        for grade in (4, 5)
    }
    uploads = Upload.objects.filter(source=UploadSource.DEMO)
    assert uploads.count() == 16
    assert set(uploads.values_list("status", flat=True)) == {UploadStatus.APPLIED}
    assert "участников в 8 работах" in summary
    assert (
        "Демонстрационная" in Test.objects.get(year=2025, subject="Математика", grade=5).source_note
    )

    # The lyceum and the gymnasium score well above the region, honestly.
    russian4 = Test.objects.get(year=2026, subject="Русский язык", grade=4)
    for login in ("edu990001", "edu990003"):
        scope = reports.resolve_scope(staff, test=russian4, school_id=schools[login].pk)
        marks = groups(reports.marks_report(scope))
        assert marks["school"]["quality"] > marks["region"]["quality"] + 10
        assert groups(reports.journal_report(scope))["school"]["confirmed_pct"] < 80

    # An inflating school matches VPR marks to the journal…
    maths5 = Test.objects.get(year=2026, subject="Математика", grade=5)
    scope = reports.resolve_scope(staff, test=maths5, school_id=schools["edu990012"].pk)
    assert groups(reports.journal_report(scope))["school"]["confirmed_pct"] >= 90

    # … another piles pupils up at the cut for «3».
    scores = list(
        PupilResult.objects.filter(test=russian4, school=schools["edu990007"]).values_list(
            "primary_score", flat=True
        )
    )
    below = sum(russian4.cut_3 - 2 <= s < russian4.cut_3 for s in scores)
    at = sum(russian4.cut_3 <= s < russian4.cut_3 + 2 for s in scores)
    assert at > 2 * max(below, 1)

    # A primary school writes only grade 4.
    primary = next(s for s in schools.values() if s.school_type == "primary")
    assert not PupilResult.objects.filter(school=primary, test__grade=5).exists()
    assert PupilResult.objects.filter(school=primary, test__grade=4).exists()


def test_seeding_again_changes_no_version():
    schools, _ = seed()
    versions = ResultVersion.objects.count()
    demo.seed(rng=random.Random(7), context={"schools": schools})
    assert ResultVersion.objects.count() == versions

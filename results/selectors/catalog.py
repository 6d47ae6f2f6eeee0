"""The test catalog: reference data, visible to every signed-in user."""

from django.db.models import Count, QuerySet

from results.models import Test


def catalog(*, year: int | None = None) -> QuerySet[Test]:
    """The test catalog is reference data, visible to every signed-in user."""
    tests = Test.objects.annotate(task_count=Count("tasks"))
    if year:
        tests = tests.filter(year=year)
    return tests.order_by("-year", "grade", "subject")

"""seed_demo's observers part: observers, schedule, assignments, refusals in the log, acts."""

import random
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from observers import demo
from observers.models import (
    Act,
    ActStatus,
    Assignment,
    AssignmentRefusal,
    ConflictRule,
    Observer,
    ScheduledSession,
)
from schools import demo as schools_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_territory():
    context: dict = {}
    schools_demo.seed(rng=random.Random(1), context=context)
    call_command(
        "import_catalog", str(Path(settings.BASE_DIR) / "results" / "fixtures" / "catalog.json")
    )
    return context


def test_the_demo_shows_the_rules_at_work(demo_territory):
    summary = demo.seed(rng=random.Random(2026), context=demo_territory)
    assert "отказов по конфликту интересов" in summary
    assert Observer.objects.count() == 15
    assert ScheduledSession.objects.count() > 40
    assert Assignment.objects.count() > 20
    rules = {rule for refusal in AssignmentRefusal.objects.all() for rule in refusal.rules}
    assert {
        ConflictRule.WORKPLACE,
        ConflictRule.RELATIVE,
        ConflictRule.ACCREDITATION,
        ConflictRule.OVERLAP,
    } <= rules
    assert Act.objects.filter(status=ActStatus.ACCEPTED).exists()
    assert Act.objects.filter(status=ActStatus.SUBMITTED).exists()
    assert Act.objects.filter(violations__isnull=False).exists()


def test_the_demo_observer_has_a_visit_today_when_the_catalog_has_this_years_tests(demo_territory):
    demo.seed(rng=random.Random(2026), context=demo_territory)
    user = get_user_model().objects.get(username="observer")
    observer = Observer.objects.get(user=user)
    assert observer.last_name == "Белова"
    today = timezone.localdate()
    if ScheduledSession.objects.filter(test__year=today.year).exists():
        assert observer.assignments.filter(date=today).exists()


def test_running_the_demo_twice_changes_nothing(demo_territory):
    demo.seed(rng=random.Random(2026), context=demo_territory)
    counts = (
        Observer.objects.count(),
        Assignment.objects.count(),
        AssignmentRefusal.objects.count(),
    )
    assert "пропущено" in demo.seed(rng=random.Random(2026), context=demo_territory)
    assert counts == (
        Observer.objects.count(),
        Assignment.objects.count(),
        AssignmentRefusal.objects.count(),
    )

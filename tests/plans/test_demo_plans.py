"""seed_demo loads the five seed plans (and says so when the seeds are absent)."""

import random

import pytest

from plans import demo
from plans.models import Item, ItemStatus, Plan, PlanStatus
from schools import demo as schools_demo


@pytest.mark.django_db
def test_the_five_seed_plans_are_loaded_once(no_schedule):
    context: dict = {}
    schools_demo.seed(rng=random.Random(1), context=context)
    summary = demo.seed(rng=random.Random(1), context=context)
    assert "планов загружено: 5" in summary
    assert Plan.objects.count() == 5
    assert Plan.objects.filter(status=PlanStatus.APPROVED).count() == 2
    approved = Item.objects.filter(plan__status=PlanStatus.APPROVED)
    assert approved.filter(status=ItemStatus.DONE).exists()
    assert approved.filter(status=ItemStatus.PLANNED).exists()
    again = demo.seed(rng=random.Random(1), context=context)
    assert "планов загружено: 0" in again and Plan.objects.count() == 5


@pytest.mark.django_db
def test_without_the_seeds_folder_the_demo_skips_plans(monkeypatch, tmp_path, municipality):
    monkeypatch.setattr(demo, "seeds_dir", lambda: tmp_path / "absent")
    summary = demo.seed(rng=random.Random(1), context={})
    assert "не найдены" in summary and not Plan.objects.exists()

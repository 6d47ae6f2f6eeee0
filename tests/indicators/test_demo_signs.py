"""seed_demo ends with computed signs: the inflating demo schools show them."""

import random

from results import demo
from results.models import SchoolYearIndicator
from schools import demo as schools_demo


def test_seed_demo_flags_the_inflating_schools_and_not_the_lyceum(db):
    context = {}
    schools_demo.seed(rng=random.Random(2026), context=context)
    demo.seed(rng=random.Random(7), context=context)
    flagged = set(
        SchoolYearIndicator.objects.filter(year=2025, n_flagged__gt=0).values_list(
            "school__login", flat=True
        )
    )
    inflating = set(demo.INFLATING)
    assert len(flagged & inflating) >= 2, flagged  # ~30 small schools: not all reach FDR
    assert "edu990001" not in flagged and "edu990003" not in flagged
    assert len(flagged - inflating) <= 1, flagged - inflating

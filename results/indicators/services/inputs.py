"""The inputs of one region × test and the hash that decides whether its snapshot is current."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from results.models import (
    IndicatorSettings,
    ResultSlot,
    Test,
)
from results.objectivity import (
    DecisionParams,
)
from schools.models import Municipality, Region, SchoolType

SELECTIVE_TYPES = (SchoolType.LYCEUM, SchoolType.GYMNASIUM)
#: Bumped when the stored layout or the statistics change, so old snapshots go stale.
ALGORITHM_VERSION = "3"


def decision_params() -> DecisionParams:
    """The decision rule's levels from the admin row (defaults from settings)."""
    return DecisionParams(**IndicatorSettings.load().as_params())


# --- inputs and their hash ------------------------------------------------------------------


def regions_with_results(year: int, municipality: Municipality | None) -> list[Region]:
    """The regions whose schools have a current version of a test of the year (or the municipality's region)."""
    if municipality is not None:
        return [municipality.region]
    return list(
        Region.objects.filter(
            municipalities__schools__result_slots__test__year=year,
            municipalities__schools__result_slots__current__isnull=False,
        ).distinct()
    )


def current_slots(test: Test, region: Region) -> list[tuple[int, int, str]]:
    """(school id, current version id, school type) of the region's schools in a test."""
    return list(
        ResultSlot.objects.filter(
            test=test, current__isnull=False, school__municipality__region=region
        )
        .order_by("school_id")
        .values_list("school_id", "current_id", "school__school_type")
    )


def _next_year_grade5(test: Test) -> Test | None:
    """The same subject in grade 5 a year later: the other half of sign d."""
    if test.grade != 4:
        return None
    return Test.objects.filter(
        year=test.year + 1, session=test.session, subject__iexact=test.subject, grade=5
    ).first()


def _observed_classes(test: Test, school_ids: list[int]) -> dict[tuple[int, str], bool]:
    """{(school id, class label): observed} for sign f, from the observers app's read."""
    try:
        from observers.selectors import observed_class_results_keys
    except ImportError:  # the observers app is optional for this computation
        return {}
    # By test only, then the region's schools here: an IN of 1,500 ids cost more to
    # build than the test's whole schedule costs to read.
    wanted = set(school_ids)
    keys = observed_class_results_keys(test_ids=[test.pk])
    return {(k.school_id, k.class_label): k.observed for k in keys if k.school_id in wanted}


def input_digest(payload: Any) -> str:
    """SHA-256 of the payload's canonical JSON: the input hash a snapshot is keyed by."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class TestInputs:
    test: Test
    region: Region
    slots: list[tuple[int, int, str]]
    next_test: Test | None
    next_slots: list[tuple[int, int, str]]
    observed: dict[tuple[int, str], bool]
    input_hash: str
    #: The hash of everything but the schools' result versions: while it holds, a snapshot's
    #: frozen references may serve the schools whose version changed.
    frame_hash: str = ""


def test_inputs(test: Test, region: Region, params: DecisionParams) -> TestInputs:
    slots = current_slots(test, region)
    next_test = _next_year_grade5(test)
    next_slots = current_slots(next_test, region) if next_test else []
    observed = _observed_classes(test, [s for s, _, _ in slots])
    tasks = list(test.tasks.order_by("position").values_list("number", "max_score", "level"))
    payload = {
        "algorithm": ALGORITHM_VERSION,
        "test": [test.pk, test.max_score, list(test.cuts), tasks],
        "params": params.__dict__,
        "slots": slots,
        "next": [next_test.pk if next_test else None, [v for _, v, _ in next_slots]],
        "observed": sorted([*k, v] for k, v in observed.items()),
    }
    frame = {key: value for key, value in payload.items() if key != "slots"}
    return TestInputs(
        test,
        region,
        slots,
        next_test,
        next_slots,
        observed,
        input_digest(payload),
        input_digest(frame),
    )

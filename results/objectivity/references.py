"""What the schools of a test are compared with: the region's references, frozen at a full
evaluation so that a school evaluated later is compared with the same region.

A full evaluation (``evaluate_test_tables`` without a reference) fits, per sign:
- a: the region's mark counts and mean % of max, the Beta prior of the share of «4»+«5»,
  and every school's shrunk share and mean % of max (the peers of the percentiles);
- b: the region's journal × VPR crosstab and share of «4»+«5», the Beta priors of the
  raised and confirmed shares;
- c: the reference pmf of the primary score and the region's curvature κ;
- g: the step probabilities of U3poly, the conditional means and variances of both pupil
  statistics, the robust nulls of school and class means, the region's success per task
  and mean U3poly.
One school's new upload moves each of them by about 1/1,500 of the region; re-evaluating
only that school against the frozen references gives its signs in milliseconds, and the
next full evaluation (the nightly pass) refits them for everyone.

Pure Python and numpy, no Django. ``as_json`` / ``from_json`` keep it with the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Sign a's per-school entries (one value per school of the reference, in its order).
HIGH_PEER_KEYS = ("shrunk", "mean_pct", "eligible")


@dataclass(frozen=True)
class TestReference:
    """The region's references of one test (see the module docstring); dicts of plain
    values or numpy arrays, as the sign functions take them."""

    high: dict[str, Any]
    journal: dict[str, Any]
    bunching: dict[str, Any]
    profile: dict[str, Any] | None

    @property
    def n_schools(self) -> int:
        return len(self.high["eligible"])

    def as_json(self) -> dict[str, Any]:
        return {
            "high": _plain(self.high),
            "journal": _plain(self.journal),
            "bunching": _plain(self.bunching),
            "profile": _plain(self.profile),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TestReference:
        return cls(data["high"], data["journal"], data["bunching"], data["profile"])

    def with_schools(
        self, positions: list[int | None], peers: dict[str, list[Any]], removed: list[int]
    ) -> TestReference:
        """The same references with sign a's per-school entries of some schools replaced:
        ``positions[i]`` is the position of the i-th school's old entry (None: a school new
        to the test, appended), ``peers`` its new entries (``HIGH_PEER_KEYS``), ``removed``
        the positions of schools that left the test. Everything fitted on the region stays
        frozen."""
        entries = {key: list(_plain(self.high[key])) for key in HIGH_PEER_KEYS}
        for i, position in enumerate(positions):
            for key in HIGH_PEER_KEYS:
                if position is None:
                    entries[key].append(peers[key][i])
                else:
                    entries[key][position] = peers[key][i]
        if removed:
            gone = set(removed)
            entries = {
                key: [v for p, v in enumerate(values) if p not in gone]
                for key, values in entries.items()
            }
        return TestReference({**self.high, **entries}, self.journal, self.bunching, self.profile)


def _plain(value: Any) -> Any:
    """JSON-able: numpy arrays and scalars as lists and numbers, NaN as None, objects with
    ``mean`` and ``variance`` (the conditional references) as dicts."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if hasattr(value, "mean") and hasattr(value, "variance"):
        return {"mean": _plain(value.mean), "variance": _plain(value.variance)}
    return value

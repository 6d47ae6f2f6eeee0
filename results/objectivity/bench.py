"""Timing of the pure statistics on a synthetic region (no database).

    python -m results.objectivity.bench [--schools 1500] [--pupils 1000000] [--tests 1]

Generates ``--tests`` tests with ``--pupils`` rows in total over ``--schools`` schools, runs
``evaluate_test`` on each and ``decide_year`` on all of them, and prints the seconds spent.
The Django benchmark adds the database fetch to this figure.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from .batch import evaluate_test
from .datatypes import SchoolTestResult
from .decision import decide_year
from .synthetic import RegionConfig, SyntheticRegion, generate_region


@dataclass(frozen=True)
class BenchFigures:
    """Seconds spent by each stage of one benchmark run."""

    n_pupils: int
    n_schools: int
    n_tests: int
    generate_seconds: float
    evaluate_seconds: float
    decide_seconds: float
    cpu_seconds: float

    @property
    def statistics_seconds(self) -> float:
        return self.evaluate_seconds + self.decide_seconds


def _generate(n_schools: int, mean_size: float, n_tests: int, seed: int) -> list[SyntheticRegion]:
    low, high = max(1, int(mean_size * 0.4)), int(mean_size * 1.6)
    return [
        generate_region(
            RegionConfig(
                n_schools=n_schools,
                pupils=(low, high),
                manipulator_pupils=(low, high),
                small_pupils=(max(1, low // 4), max(1, low // 2)),
                seed=seed + t,
            )
        )
        for t in range(n_tests)
    ]


def run_bench(
    n_schools: int = 1500, n_pupils: int = 1_000_000, n_tests: int = 1, seed: int = 7
) -> BenchFigures:
    """Generate the region(s), then time ``evaluate_test`` and ``decide_year``."""
    started = time.perf_counter()
    regions = _generate(n_schools, n_pupils / (n_schools * n_tests), n_tests, seed)
    # Small schools pull the total below the target: rescale the sizes once.
    total = sum(r.arrays.n_pupils for r in regions)
    if abs(total - n_pupils) > 0.02 * n_pupils:
        mean_size = n_pupils / (n_schools * n_tests) * n_pupils / total
        regions = _generate(n_schools, mean_size, n_tests, seed)
    generated = time.perf_counter()
    cpu_started = time.process_time()
    results: list[SchoolTestResult] = []
    for region in regions:
        results.extend(evaluate_test(region.arrays))
    evaluated = time.perf_counter()
    decide_year(results)
    decided = time.perf_counter()
    cpu = time.process_time() - cpu_started
    return BenchFigures(
        n_pupils=sum(r.arrays.n_pupils for r in regions),
        n_schools=n_schools,
        n_tests=n_tests,
        generate_seconds=generated - started,
        evaluate_seconds=evaluated - generated,
        decide_seconds=decided - evaluated,
        cpu_seconds=cpu,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument("--pupils", type=int, default=1_000_000)
    parser.add_argument("--tests", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures = run_bench(args.schools, args.pupils, args.tests, args.seed)
    print(
        f"{figures.n_pupils} pupil rows, {figures.n_schools} schools, {figures.n_tests} test(s): "
        f"evaluate_test {figures.evaluate_seconds:.2f} s, decide_year "
        f"{figures.decide_seconds:.2f} s, statistics total {figures.statistics_seconds:.2f} s "
        f"wall / {figures.cpu_seconds:.2f} s CPU (generation {figures.generate_seconds:.2f} s, "
        "not counted)"
    )


if __name__ == "__main__":
    main()

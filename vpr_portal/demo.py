"""The demo's registry: each app registers its demo step in AppConfig.ready().

`seed_demo` runs the steps in their declared order, so this package needs to import no
app: later steps use what earlier ones made (results need schools and the catalog;
observers schedule the classes results created; plans tie "event" deadlines to that
schedule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEMO_PASSWORD = "demo12345"  # noqa: S105 — documented demo password, DEBUG only


@dataclass(frozen=True)
class DemoStep:
    order: int
    module: str  # imported when the demo runs: ``seed(rng=…, context=…, stdout=…)``
    has_data: Callable[[], bool] | None = None  # True: the database already holds data


_steps: dict[str, DemoStep] = {}


def register_step(*, order: int, module: str, has_data: Callable[[], bool] | None = None) -> None:
    """Add ``module.seed`` to the demo at ``order`` (smaller runs first)."""
    _steps[module] = DemoStep(order=order, module=module, has_data=has_data)


def steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.module))


def has_data() -> bool:
    """Whether any app says the database already holds its data (seed_demo --if-empty)."""
    return any(step.has_data() for step in steps() if step.has_data is not None)

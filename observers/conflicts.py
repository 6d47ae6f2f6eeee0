"""Conflict-of-interest rules for assigning an observer, as pure functions.

No database access here: the assignment service and the proposal algorithm gather
the facts once and ask these functions, so one set of rules serves a single save
and a ranking of a hundred candidates alike.

Rules (domain brief §6 and the issue): an observer may not watch
  * a school where they work;
  * a school where their child or another relative studies or works;
  * two places at once (time slots on the same day overlap);
  * on a day outside their accreditation (not accredited, suspended or expired).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from observers.models import ConflictRule, ObserverStatus, TieKind

_TIE_REASONS = {
    TieKind.WORKS: (ConflictRule.WORKPLACE, "наблюдатель работает в этой ОО"),
    TieKind.CHILD_STUDIES: (ConflictRule.RELATIVE, "в этой ОО учится ребёнок наблюдателя"),
    TieKind.RELATIVE_STUDIES: (ConflictRule.RELATIVE, "в этой ОО учится родственник наблюдателя"),
    TieKind.RELATIVE_WORKS: (ConflictRule.RELATIVE, "в этой ОО работает родственник наблюдателя"),
    TieKind.RELATIVE: (
        ConflictRule.RELATIVE,
        "в этой ОО учится или работает ребёнок или родственник наблюдателя",
    ),
}


@dataclass(frozen=True)
class Slot:
    """Where and when an observer would be (or already is) busy."""

    date: datetime.date
    start: datetime.time
    end: datetime.time
    school_id: int
    place: str = ""  # «СОШ № 5, Русский язык, 4А» for messages

    def overlaps(self, other: Slot) -> bool:
        # Touching slots (09:45–10:30 after 09:00–09:45) do not overlap.
        return self.date == other.date and self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class ObserverFacts:
    status: str
    accredited_until: datetime.date | None
    suspension_reason: str = ""
    # school id → tie kinds declared for it
    ties: dict[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Conflict:
    rule: str
    message_ru: str


def _day(value: datetime.date) -> str:
    return value.strftime("%d.%m.%Y")


def accreditation_conflict(facts: ObserverFacts, day: datetime.date) -> Conflict | None:
    if facts.status == ObserverStatus.SUSPENDED:
        why = f": {facts.suspension_reason}" if facts.suspension_reason else ""
        return Conflict(
            ConflictRule.ACCREDITATION, f"Аккредитация наблюдателя приостановлена{why}."
        )
    if facts.status != ObserverStatus.ACCREDITED or facts.accredited_until is None:
        label = ObserverStatus(facts.status).label if facts.status else "—"
        return Conflict(
            ConflictRule.ACCREDITATION,
            f"Наблюдатель не аккредитован (статус: {label}). Назначать можно только "
            "аккредитованных наблюдателей.",
        )
    if day > facts.accredited_until:
        return Conflict(
            ConflictRule.ACCREDITATION,
            f"Аккредитация наблюдателя действует до {_day(facts.accredited_until)}, "
            f"а работа проходит {_day(day)}: срок аккредитации истёк.",
        )
    return None


def tie_conflicts(facts: ObserverFacts, school_id: int, school_name: str) -> list[Conflict]:
    conflicts = []
    for kind in facts.ties.get(school_id, ()):
        rule, why = _TIE_REASONS[TieKind(kind)]
        conflicts.append(Conflict(rule, f"Конфликт интересов: {why} ({school_name})."))
    return conflicts


def overlap_conflicts(slot: Slot, busy: Iterable[Slot]) -> list[Conflict]:
    return [
        Conflict(
            ConflictRule.OVERLAP,
            f"Наблюдатель в это время уже назначен: {other.place or 'другая ОО'}, "
            f"{_day(other.date)} с {other.start:%H:%M} до {other.end:%H:%M}. "
            "Нельзя быть в двух местах одновременно.",
        )
        for other in busy
        if slot.overlaps(other)
    ]


def conflicts_for(
    *, facts: ObserverFacts, slot: Slot, school_name: str, busy: Iterable[Slot]
) -> list[Conflict]:
    """Every rule the assignment would break, in the order a person would check them."""
    found: list[Conflict] = []
    accreditation = accreditation_conflict(facts, slot.date)
    if accreditation:
        found.append(accreditation)
    found.extend(tie_conflicts(facts, slot.school_id, school_name))
    found.extend(overlap_conflicts(slot, busy))
    return found

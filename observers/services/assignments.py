"""Assigning observers to the schedule: conflict rules on save, refusals log, proposals."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from observers import conflicts as rules
from observers.models import (
    ActStatus,
    Assignment,
    AssignmentRefusal,
    AssignmentStatus,
    Observer,
    ObserverStatus,
    ScheduledSession,
    Stage,
)
from observers.services import ObserversError
from vpr_portal.jobs import enqueue_on_commit


class AssignmentRefused(ObserversError):
    """The assignment breaks a rule; the attempt was written to the refusals log."""

    def __init__(self, conflicts: list[rules.Conflict], refusal: AssignmentRefusal) -> None:
        super().__init__(" ".join(c.message_ru for c in conflicts))
        self.conflicts = conflicts
        self.refusal = refusal

    @property
    def rules(self) -> list[str]:
        return [c.rule for c in self.conflicts]


def observer_facts(observer: Observer) -> rules.ObserverFacts:
    ties: dict[int, list[str]] = defaultdict(list)
    for tie in observer.ties.all():
        ties[tie.school_id].append(tie.kind)
    return rules.ObserverFacts(
        status=observer.status,
        accredited_until=observer.accredited_until,
        suspension_reason=observer.suspension_reason,
        ties={school_id: tuple(kinds) for school_id, kinds in ties.items()},
    )


def _place(assignment: Assignment) -> str:
    session = assignment.session
    return f"{session.school.display_name}, {session.test.subject}, {session.class_label}"


def busy_slots(
    observer_ids: Iterable[int], dates: Iterable[datetime.date]
) -> dict[int, list[rules.Slot]]:
    """Active assignments of these observers on these days, as slots."""
    busy: dict[int, list[rules.Slot]] = defaultdict(list)
    rows = Assignment.objects.filter(
        observer_id__in=list(observer_ids), date__in=set(dates), status=AssignmentStatus.ACTIVE
    ).select_related("session__school", "session__test")
    for assignment in rows:
        busy[assignment.observer_id].append(
            rules.Slot(
                date=assignment.date,
                start=assignment.start_time,
                end=assignment.end_time,
                school_id=assignment.session.school_id,
                place=_place(assignment),
            )
        )
    return busy


def slot_for(
    session: ScheduledSession,
    *,
    date: datetime.date | None = None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
) -> rules.Slot:
    return rules.Slot(
        date=date or session.date,
        start=start_time or session.start_time,
        end=end_time or session.end_time,
        school_id=session.school_id,
        place=f"{session.school.display_name}, {session.test.subject}, {session.class_label}",
    )


def check_assignment(
    *, observer: Observer, session: ScheduledSession, slot: rules.Slot
) -> list[rules.Conflict]:
    """Every rule that assigning `observer` to `session` at `slot` would break."""
    busy = busy_slots([observer.pk], [slot.date]).get(observer.pk, [])
    return rules.conflicts_for(
        facts=observer_facts(observer),
        slot=slot,
        school_name=session.school.display_name,
        busy=busy,
    )


def create_assignment(
    *,
    observer: Observer,
    session: ScheduledSession,
    assigned_by: Any,
    stage: str = Stage.TEST,
    date: datetime.date | None = None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    notify: bool = True,
) -> Assignment:
    """Assign an observer, enforcing the conflict-of-interest rules.

    A refused attempt raises AssignmentRefused with every broken rule in Russian and is
    kept in AssignmentRefusal (the log stays even though nothing else is saved). The
    observer's row is locked while checking, so two staff members assigning the same
    person at once cannot both slip past the «two places at once» rule.
    """
    slot = slot_for(session, date=date, start_time=start_time, end_time=end_time)
    if slot.end <= slot.start:
        raise ObserversError("Время окончания должно быть позже времени начала.")
    user = assigned_by if getattr(assigned_by, "is_authenticated", False) else None
    with transaction.atomic():
        locked = Observer.objects.select_for_update().get(pk=observer.pk)
        if Assignment.objects.filter(
            observer=locked, session=session, stage=stage, status=AssignmentStatus.ACTIVE
        ).exists():
            raise ObserversError(f"{locked.short_name} уже назначен(а) на этот этап этой работы.")
        conflicts = check_assignment(observer=locked, session=session, slot=slot)
        if not conflicts:
            assignment = Assignment.objects.create(
                observer=locked,
                session=session,
                stage=stage,
                date=slot.date,
                start_time=slot.start,
                end_time=slot.end,
                assigned_by=user,
            )
            if notify:
                enqueue_on_commit("observers.send_assignment_notice", assignment.pk)
            return assignment
    refusal = AssignmentRefusal.objects.create(
        observer=observer,
        session=session,
        stage=stage,
        date=slot.date,
        start_time=slot.start,
        end_time=slot.end,
        rules=[c.rule for c in conflicts],
        reason=" ".join(c.message_ru for c in conflicts),
        attempted_by=user,
    )
    raise AssignmentRefused(conflicts, refusal)


def cancel_assignment(*, assignment: Assignment, notify: bool = True) -> Assignment:
    """Cancel an assignment whose act has not been filed; the observer is told by e-mail."""
    if not assignment.is_active:
        raise ObserversError("Назначение уже отменено.")
    act = getattr(assignment, "act", None)  # the reverse one-to-one raises AttributeError if absent
    if act is not None and act.status != ActStatus.DRAFT:
        raise ObserversError("Наблюдатель уже отправил акт по этому назначению: отменить нельзя.")
    assignment.status = AssignmentStatus.CANCELLED
    assignment.cancelled_at = timezone.now()
    assignment.save(update_fields=["status", "cancelled_at"])
    if notify:
        # The task writes only to observers who were told of the assignment in the first place.
        enqueue_on_commit("observers.send_cancellation_notice", assignment.pk)
    return assignment


# --- proposals -----------------------------------------------------------------------------


@dataclass
class Candidate:
    observer: Observer
    load: int  # active assignments this year, including proposals made above in the list
    same_municipality: bool


def propose_observers(
    *, observers: Iterable[Observer], sessions: list[ScheduledSession], per_session: int = 3
) -> dict[int, list[Candidate]]:
    """Rank conflict-free observers for each session: same municipality first, then the
    least loaded, then by name.

    Sessions are served in time order and the first choice for each is counted as if
    confirmed (its slot becomes busy, its load grows), so the proposals for a whole day
    neither double-book anybody nor pile everything on one person. Staff confirm.
    """
    pool = [
        o
        for o in observers
        if o.status == ObserverStatus.ACCREDITED and o.accredited_until is not None
    ]
    if not pool or not sessions:
        return {}
    ids = [o.pk for o in pool]
    facts = {o.pk: observer_facts(o) for o in pool}
    busy = busy_slots(ids, [s.date for s in sessions])
    years = {s.date.year for s in sessions}
    load: Counter[int] = Counter(
        Assignment.objects.filter(
            observer_id__in=ids, status=AssignmentStatus.ACTIVE, date__year__in=years
        ).values_list("observer_id", flat=True)
    )
    proposals: dict[int, list[Candidate]] = {}
    for session in sorted(sessions, key=lambda s: (s.date, s.start_time, s.pk)):
        slot = slot_for(session)
        eligible = [
            o
            for o in pool
            if not rules.conflicts_for(
                facts=facts[o.pk],
                slot=slot,
                school_name=session.school.display_name,
                busy=busy.get(o.pk, []),
            )
        ]
        eligible.sort(
            key=lambda o: (
                o.municipality_id != session.school.municipality_id,
                load[o.pk],
                o.last_name,
                o.first_name,
                o.pk,
            )
        )
        chosen = [
            Candidate(
                observer=o,
                load=load[o.pk],
                same_municipality=o.municipality_id == session.school.municipality_id,
            )
            for o in eligible[:per_session]
        ]
        proposals[session.pk] = chosen
        if chosen:
            first = chosen[0].observer.pk
            busy.setdefault(first, []).append(slot)
            load[first] += 1
    return proposals

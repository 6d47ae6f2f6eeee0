"""Reads of the observers app, scoped to the user through schools.roles.

Two kinds of reads live here:
  * scoped reads for pages and the API (`*_for_user`, `get_*_for_user` → 404 outside scope);
  * unscoped system reads for other apps: `schedule_dates` (plan deadlines of kind
    "event") and `observed_class_results_keys` (sign f). Their callers apply their own
    scope; they return plain values, not querysets of this app's models.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from observers.models import (
    Act,
    ActPhoto,
    ActStatus,
    Assignment,
    AssignmentRefusal,
    AssignmentStatus,
    Observer,
    ObserverStatus,
    ObserverTie,
    ScheduledSession,
    Stage,
    ViolationType,
)
from results.models import Test
from schools import roles
from schools.models import Municipality, School

# --- scope -------------------------------------------------------------------------------


def observer_profile(user: Any) -> Observer | None:
    """The observer record tied to this user account, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_observer_profile", False)
    if cached is False:
        cached = Observer.objects.filter(user=user).first()
        user._observer_profile = cached
    return cached


def observers_for_user(user: Any) -> QuerySet[Observer]:
    """Staff see the observers of their territory; nobody else sees the registry."""
    if not roles.is_department_staff(user):
        return Observer.objects.none()
    return Observer.objects.filter(
        municipality__in=roles.visible_municipalities(user)
    ).select_related("municipality", "user")


def get_observer_for_user(user: Any, pk: int) -> Observer:
    observer = observers_for_user(user).filter(pk=pk).first()
    if observer is None:
        raise Http404("Наблюдатель не найден")
    return observer


def sessions_for_user(user: Any) -> QuerySet[ScheduledSession]:
    """Schedule lines of the schools the user may see (staff: territory; coordinator: own)."""
    return ScheduledSession.objects.filter(school__in=roles.visible_schools(user)).select_related(
        "school__municipality", "test"
    )


def get_session_for_user(user: Any, pk: int) -> ScheduledSession:
    session = sessions_for_user(user).filter(pk=pk).first()
    if session is None:
        raise Http404("Работа по графику не найдена")
    return session


def assignments_for_user(user: Any) -> QuerySet[Assignment]:
    """Staff: assignments in their territory. An observer: only their own."""
    condition = Q(pk__in=[])
    if roles.is_department_staff(user):
        condition |= Q(session__school__in=roles.visible_schools(user))
    profile = observer_profile(user)
    if profile is not None and roles.has_role(user, roles.Role.OBSERVER):
        condition |= Q(observer=profile)
    return Assignment.objects.filter(condition).select_related(
        "observer", "session__school__municipality", "session__test"
    )


def get_assignment_for_user(user: Any, pk: int) -> Assignment:
    assignment = assignments_for_user(user).filter(pk=pk).first()
    if assignment is None:
        raise Http404("Назначение не найдено")
    return assignment


def own_assignment(user: Any, pk: int) -> Assignment:
    """An assignment of the observer themselves: only they fill its act."""
    profile = observer_profile(user)
    if profile is None or not roles.has_role(user, roles.Role.OBSERVER):
        raise Http404("Назначение не найдено")
    assignment = assignments_for_user(user).filter(pk=pk, observer=profile).first()
    if assignment is None:
        raise Http404("Назначение не найдено")
    return assignment


def acts_for_user(user: Any) -> QuerySet[Act]:
    return Act.objects.filter(assignment__in=assignments_for_user(user)).select_related(
        "assignment__observer",
        "assignment__session__school__municipality",
        "assignment__session__test",
        "reviewed_by",
    )


def get_act_for_user(user: Any, pk: int) -> Act:
    act = acts_for_user(user).filter(pk=pk).first()
    if act is None:
        raise Http404("Акт не найден")
    return act


def get_photo_for_user(user: Any, pk: int) -> ActPhoto:
    photo = ActPhoto.objects.filter(pk=pk, act__in=acts_for_user(user)).first()
    if photo is None:
        raise Http404("Фото не найдено")
    return photo


def refusals_for_user(user: Any) -> QuerySet[AssignmentRefusal]:
    if not roles.is_department_staff(user):
        return AssignmentRefusal.objects.none()
    return AssignmentRefusal.objects.filter(
        session__school__in=roles.visible_schools(user)
    ).select_related("observer", "session__school", "session__test", "attempted_by")


# --- lists for pages -----------------------------------------------------------------------


def observer_list(
    user: Any, *, search: str = "", status: str = "", municipality_id: int | None = None
) -> QuerySet[Observer]:
    observers = observers_for_user(user)
    if search:
        # icontains folds Cyrillic case on SQLite too (vpr_portal/sqlite.py).
        for word in search.split():
            observers = observers.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(middle_name__icontains=word)
                | Q(email__icontains=word)
                | Q(phone__icontains=word)
                | Q(employer__icontains=word)
            )
    if status:
        observers = observers.filter(status=status)
    if municipality_id:
        observers = observers.filter(municipality_id=municipality_id)
    return observers.annotate(
        assignment_count=Count("assignments", filter=Q(assignments__status=AssignmentStatus.ACTIVE))
    ).order_by("last_name", "first_name", "middle_name", "pk")


@dataclass
class ObserverDay:
    """An observer's own assignments, grouped for the «Мои выходы» page."""

    today: list[Assignment] = field(default_factory=list)
    upcoming: list[Assignment] = field(default_factory=list)
    past: list[Assignment] = field(default_factory=list)


def my_assignments(user: Any, *, today: datetime.date | None = None) -> ObserverDay:
    today = today or timezone.localdate()
    profile = observer_profile(user)
    day = ObserverDay()
    if profile is None:
        return day
    rows = (
        assignments_for_user(user)
        .filter(observer=profile, status=AssignmentStatus.ACTIVE)
        .select_related("act")
        .order_by("date", "start_time")
    )
    for assignment in rows:
        if assignment.date == today:
            day.today.append(assignment)
        elif assignment.date > today:
            day.upcoming.append(assignment)
        else:
            day.past.append(assignment)
    day.past.reverse()
    return day


def act_of(assignment: Assignment) -> Act | None:
    try:
        return assignment.act
    except Act.DoesNotExist:
        return None


def filed_act_exists(stage: str | None = None) -> Exists:
    """Subquery: the session has an act that was filed (submitted at least once)."""
    acts = Act.objects.filter(
        assignment__session=OuterRef("pk"),
        assignment__status=AssignmentStatus.ACTIVE,
        submitted_at__isnull=False,
    )
    if stage:
        acts = acts.filter(assignment__stage=stage)
    return Exists(acts)


def covering_assignment_exists() -> Exists:
    """Subquery: someone is assigned to watch the test in the room."""
    return Exists(
        Assignment.objects.filter(
            session=OuterRef("pk"), status=AssignmentStatus.ACTIVE, stage=Stage.TEST
        )
    )


# --- coverage ------------------------------------------------------------------------------


def natural_key(text: str) -> list:
    """«СОШ № 2» before «СОШ № 10»."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


@dataclass
class CoverageLine:
    key: int
    label: str
    municipality: str = ""
    sessions: int = 0
    observed: int = 0
    schools: int = 0
    schools_observed: int = 0

    @property
    def share(self) -> float | None:
        return self.observed / self.sessions if self.sessions else None

    @property
    def school_share(self) -> float | None:
        return self.schools_observed / self.schools if self.schools else None


@dataclass
class CoverageReport:
    year: int
    by_school: list[CoverageLine]
    by_municipality: list[CoverageLine]
    never_observed: list[tuple[School, bool]]  # (school, never in any year)
    violation_types: list[tuple[int, str, int]]  # (id, title, total)
    violations_by_school: list[tuple[str, list[int], int]]  # (school, counts per type, total)
    total: CoverageLine


def coverage_for_user(
    user: Any, *, year: int, municipality_id: int | None = None
) -> CoverageReport:
    """Share of VPR sessions observed (an act was filed) per school and municipality.

    «Observed» means an observer filed an act for the session at any stage; a mere
    assignment is a plan, not evidence. Schools «never observed» are the visible active
    schools with no observed session that year; the flag says whether any year had one.
    """
    schools = roles.visible_schools(user).filter(is_active=True).select_related("municipality")
    if municipality_id:
        schools = schools.filter(municipality_id=municipality_id)
    # Sessions still ahead cannot have been observed yet: they would only dilute the share.
    sessions = (
        ScheduledSession.objects.filter(
            school__in=schools, date__year=year, date__lte=timezone.localdate()
        )
        .annotate(observed=filed_act_exists())
        .values_list("school_id", "observed")
    )
    per_school: dict[int, CoverageLine] = {}
    school_rows = {s.pk: s for s in schools}
    for school_id, observed in sessions:
        school = school_rows[school_id]
        line = per_school.setdefault(
            school_id,
            CoverageLine(
                key=school_id, label=school.display_name, municipality=school.municipality.name
            ),
        )
        line.sessions += 1
        line.observed += int(bool(observed))
    per_municipality: dict[int, CoverageLine] = {}
    for school in school_rows.values():
        muni = per_municipality.setdefault(
            school.municipality_id,
            CoverageLine(key=school.municipality_id, label=school.municipality.name),
        )
        line = per_school.get(school.pk)
        if line is None:
            continue
        muni.sessions += line.sessions
        muni.observed += line.observed
        muni.schools += 1
        muni.schools_observed += int(line.observed > 0)
    total = CoverageLine(key=0, label="Итого")
    for muni in per_municipality.values():
        total.sessions += muni.sessions
        total.observed += muni.observed
        total.schools += muni.schools
        total.schools_observed += muni.schools_observed

    observed_ever = set(
        ScheduledSession.objects.filter(school__in=schools)
        .annotate(observed=filed_act_exists())
        .filter(observed=True)
        .values_list("school_id", flat=True)
    )
    never = [
        (school, school.pk not in observed_ever)
        for school in sorted(
            school_rows.values(), key=lambda s: (s.municipality.name, natural_key(s.display_name))
        )
        if not per_school.get(school.pk) or per_school[school.pk].observed == 0
    ]

    through = Act.violations.through.objects.filter(
        act__submitted_at__isnull=False,
        act__assignment__status=AssignmentStatus.ACTIVE,
        act__assignment__session__school__in=schools,
        act__assignment__session__date__year=year,
    ).values_list("act__assignment__session__school_id", "violationtype_id", "violationtype__title")
    by_type: Counter[int] = Counter()
    titles: dict[int, str] = {}
    by_school_type: dict[int, Counter[int]] = defaultdict(Counter)
    for school_id, type_id, title in through:
        by_type[type_id] += 1
        titles[type_id] = title
        by_school_type[school_id][type_id] += 1
    type_order = sorted(by_type, key=lambda t: (-by_type[t], titles[t]))
    violation_rows = sorted(
        (
            (
                school_rows[school_id].display_name,
                [counts.get(t, 0) for t in type_order],
                sum(counts.values()),
            )
            for school_id, counts in by_school_type.items()
        ),
        key=lambda row: (-row[2], row[0]),
    )
    return CoverageReport(
        year=year,
        by_school=sorted(
            per_school.values(), key=lambda line: (line.municipality, natural_key(line.label))
        ),
        by_municipality=sorted(per_municipality.values(), key=lambda line: line.label),
        never_observed=never,
        violation_types=[(t, titles[t], by_type[t]) for t in type_order],
        violations_by_school=violation_rows,
        total=total,
    )


def schedule_years(user: Any) -> list[int]:
    years = {d.year for d in sessions_for_user(user).dates("date", "year")}
    return sorted(years, reverse=True)


# --- system reads for other apps --------------------------------------------------------------


def _municipality_filter(municipality: Municipality | int | None) -> Q:
    if municipality is None:
        return Q()
    municipality_id = getattr(municipality, "pk", municipality)
    return Q(school__municipality_id=municipality_id)


def schedule_dates(
    *, year: int, municipality: Municipality | int | None = None
) -> list[datetime.date]:
    """Distinct VPR dates of a calendar year, ascending (for plan deadlines of kind «event»).

    `municipality` (an instance or id) narrows to that municipality's schools. For an
    academic-year plan call it for both calendar years, or use `schedule_dates_between`.
    """
    rows = (
        ScheduledSession.objects.filter(_municipality_filter(municipality), date__year=year)
        .values_list("date", flat=True)
        .distinct()
        .order_by("date")
    )
    return list(rows)


def schedule_dates_between(
    *, start: datetime.date, end: datetime.date, municipality: Municipality | int | None = None
) -> list[datetime.date]:
    """Distinct VPR dates within [start, end], ascending."""
    rows = (
        ScheduledSession.objects.filter(
            _municipality_filter(municipality), date__gte=start, date__lte=end
        )
        .values_list("date", flat=True)
        .distinct()
        .order_by("date")
    )
    return list(rows)


class ObservedClassKey(NamedTuple):
    """One class × test of the schedule and whether an observer watched it in the room."""

    school_id: int
    test_id: int
    class_label: str  # normalised: results.fileformats.validation.normalize_class_label
    date: datetime.date
    observed: bool


def observed_class_results_keys(
    *,
    year: int | None = None,
    test_ids: list[int] | None = None,
    school_ids: list[int] | None = None,
    municipality: Municipality | int | None = None,
) -> list[ObservedClassKey]:
    """Rows for sign f: every scheduled class with `observed` = an act was filed for the
    stage «проведение работы в аудитории».

    Classes absent from the schedule are unknown, not «unobserved»: sign f should use only
    the classes listed here. Join on (school_id, test_id, class_label) with class labels
    normalised the same way (`normalize_class_label`).
    """
    sessions = ScheduledSession.objects.filter(_municipality_filter(municipality))
    if year is not None:
        sessions = sessions.filter(test__year=year)
    if test_ids is not None:
        sessions = sessions.filter(test_id__in=test_ids)
    if school_ids is not None:
        sessions = sessions.filter(school_id__in=school_ids)
    rows = (
        sessions.annotate(observed=filed_act_exists(stage=Stage.TEST))
        .order_by("school_id", "test_id", "class_label")
        .values_list("school_id", "test_id", "class_label", "date", "observed")
    )
    return [ObservedClassKey(s, t, c, d, bool(o)) for s, t, c, d, o in rows]


# --- dashboard panels ---------------------------------------------------------------------


def observer_panel(user: Any) -> dict | None:
    from django.urls import reverse

    profile = observer_profile(user)
    if profile is None:
        return {
            "title": "Общественный наблюдатель",
            "text": "Учётная запись ещё не связана с карточкой наблюдателя — обратитесь в управление образования.",
            "links": [],
        }
    day = my_assignments(user)
    drafts = sum(
        1
        for a in day.today + day.past
        if (act := act_of(a)) is None or act.status in (ActStatus.DRAFT, ActStatus.RETURNED)
    )
    return {
        "title": "Мои выходы",
        "text": f"Сегодня: {len(day.today)} · предстоит: {len(day.upcoming)} · "
        f"актов к заполнению: {drafts}",
        "links": [{"url": reverse("observers:index"), "label": "Открыть мои выходы"}],
    }


def staff_panel(user: Any) -> dict | None:
    from django.urls import reverse

    today = timezone.localdate()
    uncovered = (
        sessions_for_user(user)
        .filter(date__gte=today, date__lte=today + datetime.timedelta(days=30))
        .annotate(covered=covering_assignment_exists())
        .filter(covered=False)
        .count()
    )
    waiting = acts_for_user(user).filter(status=ActStatus.SUBMITTED).count()
    return {
        "title": "Общественные наблюдатели",
        "text": f"Работ без наблюдателя в ближайшие 30 дней: {uncovered} · актов ждут проверки: {waiting}",
        "links": [
            {"url": reverse("observers:planning"), "label": "Планирование"},
            {"url": reverse("observers:act_list"), "label": "Акты"},
            {"url": reverse("observers:coverage"), "label": "Охват"},
        ],
    }


def coordinator_panel(user: Any) -> dict | None:
    from django.urls import reverse

    count = sessions_for_user(user).filter(date__gte=timezone.localdate()).count()
    return {
        "title": "График ВПР",
        "text": f"Предстоящих работ в графике школы: {count}",
        "links": [{"url": reverse("observers:schedule"), "label": "График ВПР"}],
    }


def municipalities_by_name(user: Any) -> QuerySet[Municipality]:
    """The municipalities the user may see, by name: the choices of the pages' filters."""
    return roles.visible_municipalities(user).order_by("name")


def active_violation_types() -> QuerySet[ViolationType]:
    """The violation types an act may name (inactive ones are kept for old acts only)."""
    return ViolationType.objects.filter(is_active=True)


def staff_overview(user: Any, *, today: datetime.date) -> dict[str, Any]:
    """The staff's entry page: observers by status, acts waiting for review, sessions of the
    next 30 days nobody watches, the latest refusals."""
    observers = observers_for_user(user)
    return {
        "observer_counts": {
            label: observers.filter(status=value).count() for value, label in ObserverStatus.choices
        },
        "waiting_acts": acts_for_user(user).filter(status=ActStatus.SUBMITTED)[:10],
        "upcoming_uncovered": sessions_for_user(user)
        .filter(date__gte=today, date__lte=today + datetime.timedelta(days=30))
        .annotate(covered=covering_assignment_exists())
        .filter(covered=False)
        .count(),
        "recent_refusals": refusals_for_user(user)[:5],
    }


def schedule_sessions(
    user: Any, *, today: datetime.date, show_past: bool
) -> QuerySet[ScheduledSession]:
    """The schedule page's sessions: the coming ones by date, or the past ones newest first."""
    sessions = sessions_for_user(user).annotate(covered=covering_assignment_exists())
    sessions = sessions.filter(date__lt=today) if show_past else sessions.filter(date__gte=today)
    return sessions.order_by(*(("-date",) if show_past else ("date",)), "start_time")


def tests_for_schedule() -> QuerySet[Test]:
    """Tests of the catalog a schedule line may name, newest year first."""
    return Test.objects.order_by("-year", "session", "grade", "subject")


def schools_for_schedule(user: Any) -> QuerySet[School]:
    """The active schools the user may put in the schedule."""
    return roles.visible_schools(user).filter(is_active=True).order_by("short_name")


def session_assignments(user: Any, session: ScheduledSession) -> QuerySet[Assignment]:
    """The assignments to a session, with their acts."""
    return assignments_for_user(user).filter(session=session).select_related("act")


def session_refusals(user: Any, session: ScheduledSession) -> QuerySet[AssignmentRefusal]:
    """The latest refusals recorded for a session."""
    return refusals_for_user(user).filter(session=session)[:20]


def find_session(user: Any, pk: Any) -> ScheduledSession | None:
    """The user's session with this id, or None (a ticked proposal that went away)."""
    return sessions_for_user(user).filter(pk=pk).first()


def find_observer(user: Any, pk: Any) -> Observer | None:
    """The user's observer with this id, or None."""
    return observers_for_user(user).filter(pk=pk).first()


def planning_sessions(
    user: Any,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    municipality: Any = None,
    uncovered: bool = False,
) -> list[ScheduledSession]:
    """The planning page's sessions between two dates (first 500), with their active
    assignments as ``active_assignments`` and ``covered`` annotated."""
    sessions = (
        sessions_for_user(user)
        .filter(date__gte=date_from, date__lte=date_to)
        .annotate(covered=covering_assignment_exists())
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(status=AssignmentStatus.ACTIVE).select_related(
                    "observer"
                ),
                to_attr="active_assignments",
            )
        )
        .order_by("date", "start_time", "school__short_name", "class_label")
    )
    if municipality:
        sessions = sessions.filter(school__municipality_id=municipality)
    if uncovered:
        sessions = sessions.filter(covered=False)
    return list(sessions[:500])


def observer_assignments(user: Any, observer: Observer) -> QuerySet[Assignment]:
    """The observer's latest 50 assignments, newest first, with their acts."""
    return (
        assignments_for_user(user)
        .filter(observer=observer)
        .select_related("act")
        .order_by("-date", "-start_time")[:50]
    )


def observer_refusals(user: Any, observer: Observer) -> QuerySet[AssignmentRefusal]:
    """The latest refusals recorded for an observer."""
    return refusals_for_user(user).filter(observer=observer)[:20]


def find_tie(observer: Observer, pk: Any) -> ObserverTie | None:
    """The observer's tie with this id, or None."""
    return ObserverTie.objects.filter(observer=observer, pk=pk).first()


def acts_for_review(user: Any, status: str) -> QuerySet[Act]:
    """Filed acts (never drafts) of the user's territory, of one status if it is one."""
    acts = acts_for_user(user).exclude(status=ActStatus.DRAFT)
    if status in ActStatus.values:
        acts = acts.filter(status=status)
    return acts.prefetch_related("violations")


def observers_with_ties(user: Any) -> QuerySet[Observer]:
    """The user's observers with their ties to schools (the conflict rules read them)."""
    return observers_for_user(user).prefetch_related("ties")


def observer_ties(observer: Observer) -> QuerySet[ObserverTie]:
    """The observer's ties to schools, with the schools."""
    return observer.ties.select_related("school")


def schools_by_short_name(user: Any) -> QuerySet[School]:
    """The schools the user may see, by short name: the choices of a tie."""
    return roles.visible_schools(user).order_by("short_name")

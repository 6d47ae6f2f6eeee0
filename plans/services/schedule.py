"""Event deadlines ("По графику проведения ВПР") tied to the VPR dates of the plan period.

The schedule belongs to the observers app (``observers.selectors.schedule_dates``). It may
not be installed or filled yet: then event items simply have no windows until it is,
and the daily job (see reminders) fills them in once the dates are known.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from plans.models import DeadlineKind, DeadlineWindow, Item, Plan

logger = logging.getLogger(__name__)

# Test days further apart than this belong to different sessions (spring / autumn):
# each session gets its own window rather than one spanning the summer.
SESSION_GAP = timedelta(days=45)


def vpr_dates(*, municipality: Any, period_start: date, period_end: date) -> list[date]:
    """VPR test days inside the period, from the observers app's schedule (if any)."""
    try:
        from observers.selectors import schedule_dates
    except ImportError:
        return []
    days: set[date] = set()
    for year in range(period_start.year, period_end.year + 1):
        try:
            days.update(schedule_dates(year=year, municipality=municipality))
        except Exception:  # a schedule problem must not block importing or editing a plan
            logger.exception("schedule_dates failed for %s", year)
            return []
    return sorted(d for d in days if period_start <= d <= period_end)


def event_windows(
    *, municipality: Any, period_start: date | None, period_end: date | None
) -> list[tuple[date, date]]:
    """One window per VPR session (consecutive test days) within the plan period."""
    if period_start is None or period_end is None:
        return []
    days = vpr_dates(municipality=municipality, period_start=period_start, period_end=period_end)
    windows: list[tuple[date, date]] = []
    for day in days:
        if windows and day - windows[-1][1] <= SESSION_GAP:
            windows[-1] = (windows[-1][0], day)
        else:
            windows.append((day, day))
    return windows


class EventWindowCache:
    """Event windows of one plan, computed once for all its event items."""

    def __init__(self, *, municipality: Any, period_start: date | None, period_end: date | None):
        self._args = {
            "municipality": municipality,
            "period_start": period_start,
            "period_end": period_end,
        }
        self._windows: list[tuple[date, date]] | None = None

    def windows(self) -> list[tuple[date, date]]:
        if self._windows is None:
            self._windows = event_windows(**self._args)
        return self._windows


@transaction.atomic
def refresh_event_windows(*, plan: Plan) -> int:
    """Re-derive the windows of the plan's event items from the schedule; returns items changed."""
    windows = event_windows(
        municipality=plan.municipality, period_start=plan.period_start, period_end=plan.period_end
    )
    items = list(
        Item.objects.filter(
            plan=plan, deadline_kind=DeadlineKind.EVENT, deadline_manual=False
        ).prefetch_related("windows")
    )
    changed = 0
    for item in items:
        current = [(w.start, w.end) for w in item.window_list()]
        if current == windows:
            continue
        item.windows.all().delete()
        DeadlineWindow.objects.bulk_create(
            DeadlineWindow(item=item, start=s, end=e, from_schedule=True) for s, e in windows
        )
        changed += 1
    return changed

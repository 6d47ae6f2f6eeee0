"""The entry page of observers: the staff overview, an observer's own visits; and coverage."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from observers import selectors
from observers.forms import YearFilterForm
from schools import roles
from schools.roles import Role, role_required, staff_required


@role_required(Role.STAFF, Role.ADMINISTRATOR, Role.OBSERVER, Role.COORDINATOR)
def index(request: HttpRequest) -> HttpResponse:
    """The entry page: staff get the overview, observers their own visits, schools the schedule."""
    if roles.is_department_staff(request.user):
        return _staff_overview(request)
    if roles.has_role(request.user, Role.OBSERVER):
        return _my_assignments(request)
    return redirect("observers:schedule")


def _staff_overview(request: HttpRequest) -> HttpResponse:
    context = selectors.staff_overview(request.user, today=timezone.localdate())
    return render(request, "observers/overview.html", context)


def _my_assignments(request: HttpRequest) -> HttpResponse:
    profile = selectors.observer_profile(request.user)
    day = selectors.my_assignments(request.user)
    return render(
        request,
        "observers/my_assignments.html",
        {"profile": profile, "day": day, "today": timezone.localdate()},
    )


@staff_required
def coverage(request: HttpRequest) -> HttpResponse:
    years = selectors.schedule_years(request.user) or [timezone.localdate().year]
    form = YearFilterForm(
        request.GET or None,
        years=years,
        municipalities=selectors.municipalities_by_name(request.user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    year = filters.get("year") or years[0]
    report = selectors.coverage_for_user(
        request.user, year=year, municipality_id=filters.get("municipality")
    )
    return render(
        request, "observers/coverage.html", {"form": form, "report": report, "year": year}
    )

"""Assignments of observers to sessions (staff): assign, cancel, planning, refusals."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from observers import selectors
from observers.forms import (
    AssignForm,
    PlanningFilterForm,
)
from observers.services import ObserversError
from observers.services import assignments as assignment_services
from schools.roles import staff_required


def _report_refusal(request: HttpRequest, observer_name: str, exc: ObserversError) -> None:
    messages.error(request, f"{observer_name}: назначение отклонено. {exc.message_ru}")


@staff_required
@require_POST
def assign(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, session_id)
    form = AssignForm(request.POST, observers=selectors.observers_for_user(request.user))
    if not form.is_valid():
        messages.error(request, "Выберите наблюдателя и этап.")
        return redirect("observers:session_detail", session.pk)
    data = form.cleaned_data
    try:
        assignment = assignment_services.create_assignment(
            observer=data["observer"],
            session=session,
            assigned_by=request.user,
            stage=data["stage"],
            date=data["date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
        )
    except ObserversError as exc:
        _report_refusal(request, data["observer"].short_name, exc)
    else:
        messages.success(
            request, f"{assignment.observer.short_name} назначен(а); уведомление отправляется."
        )
    return redirect("observers:session_detail", session.pk)


@staff_required
@require_POST
def assignment_cancel(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, assignment_id)
    try:
        assignment_services.cancel_assignment(assignment=assignment)
    except ObserversError as exc:
        messages.error(request, exc.message_ru)
    else:
        messages.success(request, "Назначение отменено.")
    return redirect("observers:session_detail", assignment.session_id)


def _planning_sessions(request: HttpRequest, form: PlanningFilterForm):
    today = timezone.localdate()
    filters = form.cleaned_data if form.is_valid() else {}
    date_from = filters.get("date_from") or today
    date_to = filters.get("date_to") or date_from + datetime.timedelta(days=30)
    sessions = selectors.planning_sessions(
        request.user,
        date_from=date_from,
        date_to=date_to,
        municipality=filters.get("municipality"),
        uncovered=bool(filters.get("uncovered")),
    )
    return date_from, date_to, sessions


@staff_required
def planning(request: HttpRequest) -> HttpResponse:
    """The schedule by date and school, uncovered sessions, and proposed observers."""
    form = PlanningFilterForm(
        request.GET or None, municipalities=selectors.municipalities_by_name(request.user)
    )
    date_from, date_to, sessions = _planning_sessions(request, form)
    uncovered = [s for s in sessions if not s.covered]
    proposals = assignment_services.propose_observers(
        observers=selectors.observers_with_ties(request.user),
        sessions=uncovered,
    )
    days: dict[datetime.date, list] = {}
    for session in sessions:
        days.setdefault(session.date, []).append((session, proposals.get(session.pk, [])))
    return render(
        request,
        "observers/planning.html",
        {
            "form": form,
            "days": days,
            "date_from": date_from,
            "date_to": date_to,
            "uncovered_count": len(uncovered),
            "session_count": len(sessions),
        },
    )


@staff_required
@require_POST
def planning_confirm(request: HttpRequest) -> HttpResponse:
    """Confirm the proposals the staff member ticked: each is checked again on save."""
    created = 0
    picks = [value for value in request.POST.getlist("pick") if value]
    for value in picks:
        session_id, _, observer_id = value.partition(":")
        if not (session_id.isdigit() and observer_id.isdigit()):
            continue
        session = selectors.find_session(request.user, session_id)
        observer = selectors.find_observer(request.user, observer_id)
        if session is None or observer is None:
            continue
        try:
            assignment_services.create_assignment(
                observer=observer, session=session, assigned_by=request.user
            )
        except ObserversError as exc:
            _report_refusal(request, observer.short_name, exc)
        else:
            created += 1
    if created:
        messages.success(request, f"Назначено наблюдателей: {created}. Уведомления отправляются.")
    elif not picks:
        messages.info(request, "Ничего не отмечено.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("observers:planning")
    return redirect(next_url)


@staff_required
def refusal_list(request: HttpRequest) -> HttpResponse:
    refusals = selectors.refusals_for_user(request.user)
    page = Paginator(refusals, 50).get_page(request.GET.get("page"))
    return render(request, "observers/refusal_list.html", {"page": page, "query": ""})

"""The VPR schedule (staff and school coordinators): sessions, their edit and import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from observers import selectors
from observers.forms import (
    AssignForm,
    SessionForm,
    UploadForm,
)
from observers.services import ImportRefused, ObserversError
from observers.services import assignments as assignment_services
from observers.services import schedule as schedule_services
from observers.views.access import schedule_roles_required
from schools import roles
from schools.roles import staff_required


@schedule_roles_required
def schedule(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    show_past = request.GET.get("past") == "1"
    sessions = selectors.schedule_sessions(user, today=today, show_past=show_past)
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "observers/schedule.html",
        {
            "page": page,
            "show_past": show_past,
            "query": "past=1" if show_past else "",
            "is_staff_view": roles.is_department_staff(user),
        },
    )


@schedule_roles_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int | None = None) -> HttpResponse:
    user = request.user
    session = selectors.get_session_for_user(user, session_id) if session_id else None
    schools = selectors.schools_for_schedule(user)
    initial = {}
    if session is not None:
        initial = {
            "school": session.school_id,
            "test": session.test_id,
            "class_label": session.class_label,
            "date": session.date,
            "start_time": session.start_time,
            "end_time": session.end_time,
        }
    form = SessionForm(
        request.POST or None, schools=schools, tests=selectors.tests_for_schedule(), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = schedule_services.save_session(
                user=user, session=session, **form.cleaned_data
            )
        except ObserversError as exc:
            form.add_error(None, exc.message_ru)
        else:
            messages.success(request, "График сохранён.")
            return redirect("observers:session_detail", session.pk)
    return render(request, "observers/session_form.html", {"form": form, "session": session})


@schedule_roles_required
@require_POST
def session_delete(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, session_id)
    try:
        schedule_services.delete_session(session=session)
    except ObserversError as exc:
        messages.error(request, exc.message_ru)
        return redirect("observers:session_detail", session.pk)
    messages.success(request, "Работа удалена из графика.")
    return redirect("observers:schedule")


@schedule_roles_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    user = request.user
    session = selectors.get_session_for_user(user, session_id)
    context: dict[str, Any] = {"session": session, "is_staff_view": roles.is_department_staff(user)}
    if context["is_staff_view"]:
        observers = selectors.observers_with_ties(user)
        context["assignments"] = selectors.session_assignments(user, session)
        context["assign_form"] = AssignForm(observers=observers.order_by("last_name", "first_name"))
        context["proposals"] = assignment_services.propose_observers(
            observers=observers, sessions=[session], per_session=5
        ).get(session.pk, [])
        context["refusals"] = selectors.session_refusals(user, session)
    return render(request, "observers/session_detail.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def schedule_import(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            report = schedule_services.import_schedule(
                source=uploaded,
                filename=uploaded.name,
                schools=list(roles.visible_schools(request.user)),
                user=request.user,
            )
        except ImportRefused as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                f"График загружен: новых строк — {report.created}, обновлено — {report.updated}.",
            )
            return redirect("observers:schedule")
    return _import_page(request, form, errors)


def _import_page(request: HttpRequest, form: UploadForm, errors: list[str]) -> HttpResponse:
    return render(
        request,
        "observers/import.html",
        {
            "form": form,
            "errors": errors,
            "title": "Загрузка графика ВПР",
            "columns": schedule_services.SCHEDULE_COLUMNS,
            "required": schedule_services.SCHEDULE_REQUIRED,
            "note": "Работа находится в каталоге по году даты, предмету и параллели класса. "
            "Без времени окончания работа считается длиной в урок (45 минут).",
            "back": reverse("observers:schedule"),
        },
    )

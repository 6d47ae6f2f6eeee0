"""Pages of the observers app. Thin: scoped getter → form → one service → render/redirect."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from observers import selectors, tasks
from observers.forms import (
    AccreditForm,
    ActForm,
    AssignForm,
    ObserverFilterForm,
    ObserverForm,
    PhotoForm,
    PlanningFilterForm,
    ReviewForm,
    SessionForm,
    SuspendForm,
    TieForm,
    TrainingForm,
    UploadForm,
    YearFilterForm,
)
from observers.models import (
    ActStatus,
    Assignment,
    AssignmentStatus,
    ObserverStatus,
    ObserverTie,
    ViolationType,
)
from observers.services import ImportRefused, ObserversError
from observers.services import acts as act_services
from observers.services import assignments as assignment_services
from observers.services import registry as registry_services
from observers.services import schedule as schedule_services
from results.models import Test
from schools import roles
from schools.roles import Role, role_required, staff_required
from vpr_portal.jobs import start_job

observer_required = role_required(Role.OBSERVER)
schedule_roles_required = role_required(Role.STAFF, Role.ADMINISTRATOR, Role.COORDINATOR)


@role_required(Role.STAFF, Role.ADMINISTRATOR, Role.OBSERVER, Role.COORDINATOR)
def index(request: HttpRequest) -> HttpResponse:
    """The entry page: staff get the overview, observers their own visits, schools the schedule."""
    if roles.is_department_staff(request.user):
        return _staff_overview(request)
    if roles.has_role(request.user, Role.OBSERVER):
        return _my_assignments(request)
    return redirect("observers:schedule")


def _staff_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    observers = selectors.observers_for_user(user)
    context = {
        "observer_counts": {
            label: observers.filter(status=value).count() for value, label in ObserverStatus.choices
        },
        "waiting_acts": selectors.acts_for_user(user).filter(status=ActStatus.SUBMITTED)[:10],
        "upcoming_uncovered": selectors.sessions_for_user(user)
        .filter(date__gte=today, date__lte=today + datetime.timedelta(days=30))
        .annotate(covered=selectors.covering_assignment_exists())
        .filter(covered=False)
        .count(),
        "recent_refusals": selectors.refusals_for_user(user)[:5],
    }
    return render(request, "observers/overview.html", context)


def _my_assignments(request: HttpRequest) -> HttpResponse:
    profile = selectors.observer_profile(request.user)
    day = selectors.my_assignments(request.user)
    return render(
        request,
        "observers/my_assignments.html",
        {"profile": profile, "day": day, "today": timezone.localdate()},
    )


# --- registry --------------------------------------------------------------------------------


def _municipalities(user: Any):
    return roles.visible_municipalities(user).order_by("name")


@staff_required
def observer_list(request: HttpRequest) -> HttpResponse:
    municipalities = _municipalities(request.user)
    form = ObserverFilterForm(request.GET or None, municipalities=municipalities)
    filters = form.cleaned_data if form.is_valid() else {}
    observers = selectors.observer_list(
        request.user,
        search=(filters.get("q") or "").strip(),
        status=filters.get("status") or "",
        municipality_id=filters.get("municipality"),
    )
    page = Paginator(observers, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = (
        "observers/observer_list.html#results" if request.htmx else "observers/observer_list.html"
    )
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def observer_edit(request: HttpRequest, observer_id: int | None = None) -> HttpResponse:
    observer = selectors.get_observer_for_user(request.user, observer_id) if observer_id else None
    form = ObserverForm(
        request.POST or None, instance=observer, municipalities=_municipalities(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        observer = registry_services.save_observer(
            municipality=data["municipality"], data=data, observer=observer
        )
        messages.success(request, "Карточка наблюдателя сохранена.")
        return redirect("observers:observer_detail", observer.pk)
    return render(request, "observers/observer_form.html", {"form": form, "observer": observer})


@staff_required
def observer_detail(request: HttpRequest, observer_id: int) -> HttpResponse:
    observer = selectors.get_observer_for_user(request.user, observer_id)
    today = timezone.localdate()
    context = {
        "observer": observer,
        "ties": observer.ties.select_related("school"),
        "assignments": selectors.assignments_for_user(request.user)
        .filter(observer=observer)
        .select_related("act")
        .order_by("-date", "-start_time")[:50],
        "refusals": selectors.refusals_for_user(request.user).filter(observer=observer)[:20],
        "training_form": TrainingForm(
            initial={
                "completed_on": observer.training_completed_on or today,
                "certificate_number": observer.certificate_number,
            }
        ),
        "accredit_form": AccreditForm(
            initial={"until": observer.accredited_until or datetime.date(today.year, 12, 31)}
        ),
        "suspend_form": SuspendForm(),
        "tie_form": TieForm(schools=roles.visible_schools(request.user).order_by("short_name")),
        "accredited_today": observer.is_accredited_on(today),
    }
    return render(request, "observers/observer_detail.html", context)


@staff_required
@require_POST
def observer_status(request: HttpRequest, observer_id: int) -> HttpResponse:
    """Life-cycle steps: training recorded, accredited, suspended, reinstated."""
    observer = selectors.get_observer_for_user(request.user, observer_id)
    action = request.POST.get("action")
    try:
        if action == "training":
            form = TrainingForm(request.POST)
            if not form.is_valid():
                raise ObserversError("Укажите дату обучения и номер удостоверения.")
            registry_services.record_training(
                observer=observer,
                completed_on=form.cleaned_data["completed_on"],
                certificate_number=form.cleaned_data["certificate_number"],
            )
            messages.success(request, "Обучение отмечено.")
        elif action == "accredit":
            form = AccreditForm(request.POST)
            if not form.is_valid():
                raise ObserversError("Укажите дату окончания аккредитации.")
            registry_services.accredit(observer=observer, until=form.cleaned_data["until"])
            messages.success(request, "Наблюдатель аккредитован.")
        elif action == "suspend":
            registry_services.suspend(observer=observer, reason=request.POST.get("reason", ""))
            messages.success(request, "Аккредитация приостановлена.")
        elif action == "reinstate":
            registry_services.reinstate(observer=observer)
            messages.success(request, "Аккредитация возобновлена.")
        elif action == "account":
            account = registry_services.create_account(observer=observer)
            messages.success(
                request,
                f"Учётная запись создана. Имя пользователя: {account.username}, временный пароль: "
                f"{account.password} — передайте его наблюдателю, пароль показывается один раз.",
            )
        else:
            raise ObserversError("Неизвестное действие.")
    except ObserversError as exc:
        messages.error(request, exc.message_ru)
    return redirect("observers:observer_detail", observer.pk)


@staff_required
@require_POST
def tie_add(request: HttpRequest, observer_id: int) -> HttpResponse:
    observer = selectors.get_observer_for_user(request.user, observer_id)
    form = TieForm(request.POST, schools=roles.visible_schools(request.user))
    if form.is_valid():
        registry_services.declare_tie(
            observer=observer,
            school=form.cleaned_data["school"],
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Связь с ОО записана.")
    else:
        messages.error(request, "Выберите ОО и вид связи.")
    return redirect("observers:observer_detail", observer.pk)


@staff_required
@require_POST
def tie_delete(request: HttpRequest, observer_id: int, tie_id: int) -> HttpResponse:
    observer = selectors.get_observer_for_user(request.user, observer_id)
    tie = ObserverTie.objects.filter(observer=observer, pk=tie_id).first()
    if tie is not None:
        registry_services.remove_tie(tie=tie)
        messages.success(request, "Связь удалена.")
    return redirect("observers:observer_detail", observer.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def observer_import(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            report = registry_services.import_observers(
                source=uploaded,
                filename=uploaded.name,
                municipalities=list(_municipalities(request.user)),
                schools=list(roles.visible_schools(request.user)),
            )
        except ImportRefused as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                f"Список загружен: новых наблюдателей — {report.created}, обновлено — {report.updated}.",
            )
            return redirect("observers:observer_list")
    return render(
        request,
        "observers/import.html",
        {
            "form": form,
            "errors": errors,
            "title": "Загрузка списка наблюдателей",
            "columns": registry_services.IMPORT_COLUMNS,
            "required": registry_services.IMPORT_REQUIRED,
            "back": reverse("observers:observer_list"),
        },
    )


# --- schedule ----------------------------------------------------------------------------------


def _tests_for_schedule():
    return Test.objects.order_by("-year", "session", "grade", "subject")


@schedule_roles_required
def schedule(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    show_past = request.GET.get("past") == "1"
    sessions = selectors.sessions_for_user(user).annotate(
        covered=selectors.covering_assignment_exists()
    )
    sessions = sessions.filter(date__lt=today) if show_past else sessions.filter(date__gte=today)
    sessions = sessions.order_by(*(("-date",) if show_past else ("date",)), "start_time")
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
    schools = roles.visible_schools(user).filter(is_active=True).order_by("short_name")
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
        request.POST or None, schools=schools, tests=_tests_for_schedule(), initial=initial
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
        observers = selectors.observers_for_user(user).prefetch_related("ties")
        context["assignments"] = (
            selectors.assignments_for_user(user).filter(session=session).select_related("act")
        )
        context["assign_form"] = AssignForm(observers=observers.order_by("last_name", "first_name"))
        context["proposals"] = assignment_services.propose_observers(
            observers=observers, sessions=[session], per_session=5
        ).get(session.pk, [])
        context["refusals"] = selectors.refusals_for_user(user).filter(session=session)[:20]
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


# --- assignments -------------------------------------------------------------------------------


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
    sessions = (
        selectors.sessions_for_user(request.user)
        .filter(date__gte=date_from, date__lte=date_to)
        .annotate(covered=selectors.covering_assignment_exists())
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
    if filters.get("municipality"):
        sessions = sessions.filter(school__municipality_id=filters["municipality"])
    if filters.get("uncovered"):
        sessions = sessions.filter(covered=False)
    return date_from, date_to, list(sessions[:500])


@staff_required
def planning(request: HttpRequest) -> HttpResponse:
    """The schedule by date and school, uncovered sessions, and proposed observers."""
    form = PlanningFilterForm(request.GET or None, municipalities=_municipalities(request.user))
    date_from, date_to, sessions = _planning_sessions(request, form)
    uncovered = [s for s in sessions if not s.covered]
    proposals = assignment_services.propose_observers(
        observers=selectors.observers_for_user(request.user).prefetch_related("ties"),
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
    observers = selectors.observers_for_user(request.user)
    picks = [value for value in request.POST.getlist("pick") if value]
    for value in picks:
        session_id, _, observer_id = value.partition(":")
        if not (session_id.isdigit() and observer_id.isdigit()):
            continue
        session = selectors.sessions_for_user(request.user).filter(pk=session_id).first()
        observer = observers.filter(pk=observer_id).first()
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


# --- the act (observer) ------------------------------------------------------------------------


def _act_page(
    request: HttpRequest, assignment: Assignment, *, form: ActForm | None = None, status: int = 200
) -> HttpResponse:
    act = selectors.act_of(assignment) or act_services.new_act(assignment)
    form = form or ActForm.for_act(act)
    return render(
        request,
        "observers/act_form.html",
        {
            "assignment": assignment,
            "act": act,
            "form": form,
            "photo_form": PhotoForm(),
            "photos": list(act.photos.all()) if act.pk else [],
            "violation_types": ViolationType.objects.filter(is_active=True),
            "today": timezone.localdate(),
        },
        status=status,
    )


@observer_required
def act_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.own_assignment(request.user, assignment_id)
    return _act_page(request, assignment)


@observer_required
@require_POST
def act_autosave(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """htmx: store the draft on every change and answer with the status line."""
    assignment = selectors.own_assignment(request.user, assignment_id)
    form = ActForm(request.POST)
    context: dict[str, Any] = {"saved_at": None, "error": ""}
    status = 200
    if not form.is_valid():
        context["error"] = "Черновик не сохранён: проверьте время (ЧЧ:ММ)."
        status = 422
    else:
        try:
            act = act_services.save_act_draft(assignment=assignment, draft=form.to_draft())
        except ObserversError as exc:
            context["error"] = exc.message_ru
            status = 409
        else:
            context["saved_at"] = timezone.localtime()
            context["revision"] = act.revision
    response = render(request, "observers/partials/autosave_status.html", context, status=status)
    if context.get("revision"):
        response["X-Act-Revision"] = str(context["revision"])
    return response


@observer_required
@require_POST
def act_submit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Save what was typed, then file the act. Refusals keep every character."""
    assignment = selectors.own_assignment(request.user, assignment_id)
    act = selectors.act_of(assignment)
    if act is not None and act.is_locked:
        messages.error(request, act_services.locked_reason(act))
        return _act_page(request, assignment, status=409)
    form = ActForm(request.POST)
    if not form.is_valid():
        return _act_page(request, assignment, form=form, status=422)
    try:
        act_services.save_act_draft(assignment=assignment, draft=form.to_draft())
        act_services.submit_act(assignment=assignment)
    except act_services.ActIncomplete as exc:
        for field, message in exc.errors.items():
            form.add_error(None if field == "__all__" else field, message)
        return _act_page(request, assignment, form=form, status=422)
    except act_services.ActLocked as exc:
        messages.error(request, exc.message_ru)
        return _act_page(request, assignment, status=409)
    except ObserversError as exc:
        messages.error(request, exc.message_ru)
        return _act_page(request, assignment, form=form, status=409)
    messages.success(request, "Акт отправлен в управление образования. Спасибо!")
    return redirect("observers:index")


@observer_required
@require_POST
def act_photo_upload(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.own_assignment(request.user, assignment_id)
    form = PhotoForm(request.POST, request.FILES)
    error = ""
    status = 200
    if not form.is_valid():
        error = "Выберите файл с фотографией."
        status = 422
    else:
        try:
            act_services.add_photo(assignment=assignment, upload=form.cleaned_data["photo"])
        except ObserversError as exc:
            error = exc.message_ru
            status = 422
    if request.htmx:
        act = selectors.act_of(assignment)
        return render(
            request,
            "observers/partials/photos.html",
            {
                "assignment": assignment,
                "act": act,
                "photos": list(act.photos.all()) if act else [],
                "photo_error": error,
                "photo_form": PhotoForm(),
            },
            status=status,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Фото добавлено.")
    return redirect("observers:act_edit", assignment.pk)


@observer_required
@require_POST
def act_photo_delete(request: HttpRequest, assignment_id: int, photo_id: int) -> HttpResponse:
    assignment = selectors.own_assignment(request.user, assignment_id)
    photo = selectors.get_photo_for_user(request.user, photo_id)
    if photo.act.assignment_id != assignment.pk:
        return redirect("observers:act_edit", assignment.pk)
    try:
        act_services.delete_photo(photo=photo)
    except ObserversError as exc:
        messages.error(request, exc.message_ru)
    return redirect("observers:act_edit", assignment.pk)


@role_required(Role.STAFF, Role.ADMINISTRATOR, Role.OBSERVER)
def photo_file(request: HttpRequest, photo_id: int) -> FileResponse:
    """Photos are served through the scope check, never as public media."""
    photo = selectors.get_photo_for_user(request.user, photo_id)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


# --- acts (staff) --------------------------------------------------------------------------------


@staff_required
def act_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ActStatus.SUBMITTED)
    acts = selectors.acts_for_user(request.user).exclude(status=ActStatus.DRAFT)
    if status in ActStatus.values:
        acts = acts.filter(status=status)
    page = Paginator(acts.prefetch_related("violations"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "observers/act_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [s for s in ActStatus.choices if s[0] != ActStatus.DRAFT],
            "query": f"status={status}",
        },
    )


@role_required(Role.STAFF, Role.ADMINISTRATOR, Role.OBSERVER)
def act_detail(request: HttpRequest, act_id: int) -> HttpResponse:
    act = selectors.get_act_for_user(request.user, act_id)
    is_staff = roles.is_department_staff(request.user)
    return render(
        request,
        "observers/act_detail.html",
        {
            "act": act,
            "assignment": act.assignment,
            "photos": list(act.photos.all()),
            "violations": list(act.violations.all()),
            "review_form": ReviewForm(),
            "can_review": is_staff and act.status == ActStatus.SUBMITTED,
        },
    )


@staff_required
@require_POST
def act_review(request: HttpRequest, act_id: int) -> HttpResponse:
    act = selectors.get_act_for_user(request.user, act_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите решение.")
        return redirect("observers:act_detail", act.pk)
    try:
        act_services.review_act(
            act=act,
            reviewer=request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    except ObserversError as exc:
        messages.error(request, exc.message_ru)
    else:
        messages.success(
            request,
            "Акт принят."
            if form.cleaned_data["decision"] == "accept"
            else "Акт возвращён наблюдателю на доработку.",
        )
    return redirect("observers:act_detail", act.pk)


@role_required(Role.STAFF, Role.ADMINISTRATOR, Role.OBSERVER)
@require_POST
def act_pdf(request: HttpRequest, act_id: int) -> HttpResponse:
    act = selectors.get_act_for_user(request.user, act_id)
    job = start_job(
        kind="observer_act_pdf",
        title=f"Акт общественного наблюдения № {act.pk} (PDF)",
        task=tasks.render_act_pdf,
        user=request.user,
        params={"act_id": act.pk},
    )
    return redirect("job_detail", job.pk)


# --- coverage ------------------------------------------------------------------------------------


@staff_required
def coverage(request: HttpRequest) -> HttpResponse:
    years = selectors.schedule_years(request.user) or [timezone.localdate().year]
    form = YearFilterForm(
        request.GET or None, years=years, municipalities=_municipalities(request.user)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    year = filters.get("year") or years[0]
    report = selectors.coverage_for_user(
        request.user, year=year, municipality_id=filters.get("municipality")
    )
    return render(
        request, "observers/coverage.html", {"form": form, "report": report, "year": year}
    )

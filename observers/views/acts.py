"""Acts: filed by the observer from a phone (edit, autosave, submit, photos), reviewed and
printed by staff."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from observers import selectors, tasks
from observers.forms import (
    ActForm,
    PhotoForm,
    ReviewForm,
)
from observers.models import (
    ActStatus,
    Assignment,
)
from observers.services import ObserversError
from observers.services import acts as act_services
from observers.views.access import observer_required
from schools import roles
from schools.roles import Role, role_required, staff_required
from vpr_portal.jobs import start_job


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
            "violation_types": selectors.active_violation_types(),
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
        return _photos_partial(request, assignment, error=error, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Фото добавлено.")
    return redirect("observers:act_edit", assignment.pk)


def _photos_partial(
    request: HttpRequest, assignment: Assignment, *, error: str, status: int
) -> HttpResponse:
    """The act's photos block, re-rendered for htmx after an upload."""
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


@staff_required
def act_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ActStatus.SUBMITTED)
    acts = selectors.acts_for_review(request.user, status)
    page = Paginator(acts, 25).get_page(request.GET.get("page"))
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

"""The observers' registry (staff): list, card, edit, status, ties, import."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from observers import selectors
from observers.forms import (
    AccreditForm,
    ObserverFilterForm,
    ObserverForm,
    SuspendForm,
    TieForm,
    TrainingForm,
    UploadForm,
)
from observers.models import Observer
from observers.services import ImportRefused, ObserversError
from observers.services import registry as registry_services
from schools import roles
from schools.roles import staff_required


@staff_required
def observer_list(request: HttpRequest) -> HttpResponse:
    municipalities = selectors.municipalities_by_name(request.user)
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
        request.POST or None,
        instance=observer,
        municipalities=selectors.municipalities_by_name(request.user),
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
        "ties": selectors.observer_ties(observer),
        "assignments": selectors.observer_assignments(request.user, observer),
        "refusals": selectors.observer_refusals(request.user, observer),
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
        "tie_form": TieForm(schools=selectors.schools_by_short_name(request.user)),
        "accredited_today": observer.is_accredited_on(today),
    }
    return render(request, "observers/observer_detail.html", context)


def _record_training(observer: Observer, data: QueryDict) -> str:
    form = TrainingForm(data)
    if not form.is_valid():
        raise ObserversError("Укажите дату обучения и номер удостоверения.")
    registry_services.record_training(
        observer=observer,
        completed_on=form.cleaned_data["completed_on"],
        certificate_number=form.cleaned_data["certificate_number"],
    )
    return "Обучение отмечено."


def _accredit(observer: Observer, data: QueryDict) -> str:
    form = AccreditForm(data)
    if not form.is_valid():
        raise ObserversError("Укажите дату окончания аккредитации.")
    registry_services.accredit(observer=observer, until=form.cleaned_data["until"])
    return "Наблюдатель аккредитован."


def _suspend(observer: Observer, data: QueryDict) -> str:
    registry_services.suspend(observer=observer, reason=data.get("reason", ""))
    return "Аккредитация приостановлена."


def _reinstate(observer: Observer, data: QueryDict) -> str:
    registry_services.reinstate(observer=observer)
    return "Аккредитация возобновлена."


def _create_account(observer: Observer, data: QueryDict) -> str:
    account = registry_services.create_account(observer=observer)
    return (
        f"Учётная запись создана. Имя пользователя: {account.username}, временный пароль: "
        f"{account.password} — передайте его наблюдателю, пароль показывается один раз."
    )


# The life-cycle steps of the status form: each writes and returns its success message.
_STATUS_STEPS: dict[str, Callable[[Observer, QueryDict], str]] = {
    "training": _record_training,
    "accredit": _accredit,
    "suspend": _suspend,
    "reinstate": _reinstate,
    "account": _create_account,
}


@staff_required
@require_POST
def observer_status(request: HttpRequest, observer_id: int) -> HttpResponse:
    """Life-cycle steps: training recorded, accredited, suspended, reinstated."""
    observer = selectors.get_observer_for_user(request.user, observer_id)
    step = _STATUS_STEPS.get(request.POST.get("action", ""))
    try:
        if step is None:
            raise ObserversError("Неизвестное действие.")
        messages.success(request, step(observer, request.POST))
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
    tie = selectors.find_tie(observer, tie_id)
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
                municipalities=list(selectors.municipalities_by_name(request.user)),
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
    return _import_page(request, form, errors)


def _import_page(request: HttpRequest, form: UploadForm, errors: list[str]) -> HttpResponse:
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

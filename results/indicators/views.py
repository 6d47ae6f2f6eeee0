"""Pages of the indicators: the municipal dashboard, the school's card, the official list.

They read stored rows only (results.indicators.selectors); the computation runs in jobs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from results.indicators import charts, official_list, selectors, services, tasks
from results.indicators.forms import IndicatorFilterForm, OfficialListForm, RecomputeForm
from schools import roles
from vpr_portal.charts import Series, line_chart
from vpr_portal.jobs import UserFacingError, start_job


def _year(request: HttpRequest, user) -> int:
    try:
        return (
            int(request.GET.get("year") or request.POST.get("year") or 0)
            or ((selectors.years_with_signs(user) or [services.default_year()])[0])
        )
    except ValueError as exc:
        raise Http404("Неверный год") from exc


@roles.staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = IndicatorFilterForm(request.GET)
    form.is_valid()
    filters = form.cleaned_data if form.is_bound else {}
    year = _year(request, request.user)
    page = selectors.dashboard_page(user=request.user, year=year, filters=filters)
    page["trend_chart"] = _trend_chart(page.pop("trend"))
    return render(request, "results/indicators/dashboard.html", {"form": form, **page})


def _trend_chart(trend: list[tuple[int, float]]) -> str | None:
    """The dashboard's chart: the share of schools with signs, year by year."""
    if not trend:
        return None
    return line_chart(
        x_labels=[str(y) for y, _ in trend],
        series=[Series("Доля ОО с признаками", [share for _, share in trend])],
        title="Доля ОО с признаками по годам",
        y_label="%",
        suffix="%",
    )


@require_POST
@roles.staff_required
def recompute(request: HttpRequest) -> HttpResponse:
    form = RecomputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите год расчёта.")
        return redirect("results:indicators")
    year = form.cleaned_data["year"]
    job = start_job(
        kind="indicators",
        title=f"Расчёт признаков необъективности за {year} год",
        task=tasks.compute_year,
        user=request.user,
        params={"year": year},
    )
    return redirect("job_detail", job_id=job.pk)


@login_required
def school_card(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's objectivity card: coordinators their own school, staff their territory."""
    if not roles.has_role(
        request.user, roles.Role.COORDINATOR, roles.Role.STAFF, roles.Role.ADMINISTRATOR
    ):
        raise Http404("Страница не найдена")
    school = roles.get_school_for_user(request.user, pk=school_id)
    years = selectors.school_years_with_signs(user=request.user, school=school)
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0))
    except ValueError as exc:
        raise Http404("Неверный год") from exc
    return render(
        request,
        "results/indicators/school_card.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "tests": _with_charts(selectors.school_card_tests(school=school, year=year)),
            "min_pupils": services.decision_params().min_pupils,
        },
    )


def _with_charts(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each charted sign of the card gets its chart, drawn from its evidence."""
    for test in tests:
        for sign in test["signs"]:
            sign["chart"] = (
                charts.sign_chart(sign["letter"], sign["evidence"]) if sign["charted"] else None
            )
    return tests


@roles.staff_required
def official_list_xlsx(request: HttpRequest) -> HttpResponse:
    year = _year(request, request.user)
    response = HttpResponse(
        official_list.export_xlsx(year, roles.visible_schools(request.user)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="oo-s-priznakami-{year}.xlsx"'
    return response


@roles.staff_required
def official_list_page(request: HttpRequest) -> HttpResponse:
    """Import an official list and show the agreement with ours (both / ours / theirs)."""
    year = _year(request, request.user)
    form = OfficialListForm()
    if request.method == "POST":
        form = OfficialListForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                imported = official_list.import_official_list(
                    file=upload,
                    filename=upload.name,
                    year=form.cleaned_data["year"],
                    user=request.user,
                )
            except UserFacingError as exc:
                form.add_error("file", exc.message_ru)
            else:
                messages.success(request, f"Перечень загружен: строк {imported.rows}.")
                return redirect(f"{request.path}?year={imported.year}")
    return render(
        request,
        "results/indicators/official_list.html",
        {
            "form": form,
            "year": year,
            "agreement": official_list.agreement(year, roles.visible_schools(request.user)),
        },
    )

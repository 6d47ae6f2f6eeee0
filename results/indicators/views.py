"""Pages of the indicators: the municipal dashboard, the school's card, the official list.

They read stored rows only (results.indicators.selectors); the computation runs in jobs.
"""

from __future__ import annotations

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

SORTS = {
    "strength": ["-flagged", "-strength", "school__login"],
    "school": ["school__login", "test__grade", "test__subject"],
    "municipality": ["school__municipality__name", "school__login"],
    "n": ["-n_pupils", "school__login"],
}


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
    data = form.cleaned_data if form.is_bound else {}
    year = _year(request, request.user)
    rows = selectors.indicators_for_user(request.user).filter(year=year)
    if data.get("municipality"):
        rows = rows.filter(school__municipality__name=data["municipality"])
    if data.get("test"):
        rows = rows.filter(test_id=data["test"]) if data["test"].isdigit() else rows.none()
    if data.get("only_flagged"):
        rows = rows.filter(flagged=True)
    rows = rows.order_by(*SORTS.get(data.get("sort") or "strength", SORTS["strength"]))
    table = [
        {
            "row": row,
            "css": selectors.strength_class(row.strength) if row.flagged else "",
            "signs": [
                (letter, selectors.SIGN_TITLES.get(letter, letter)) for letter in row.surviving
            ],
        }
        for row in rows.defer("signs")[:1000]
    ]
    trend = selectors.share_trend(request.user)
    trend_chart = (
        line_chart(
            x_labels=[str(y) for y, _ in trend],
            series=[Series("Доля ОО с признаками", [share for _, share in trend])],
            title="Доля ОО с признаками по годам",
            y_label="%",
            suffix="%",
        )
        if trend
        else None
    )
    tests = (
        selectors.indicators_for_user(request.user)
        .filter(year=year)
        .values_list("test_id", "test__grade", "test__subject")
        .distinct()
        .order_by("test__grade", "test__subject")
    )
    return render(
        request,
        "results/indicators/dashboard.html",
        {
            "form": form,
            "year": year,
            "years": selectors.years_with_signs(request.user),
            "table": table,
            "counts": selectors.municipality_counts(request.user, year),
            "trend_chart": trend_chart,
            "tests": list(tests),
            "municipalities": list(roles.visible_municipalities(request.user)),
            "sign_titles": selectors.SIGN_TITLES,
        },
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
    years = list(
        selectors.indicators_for_user(request.user)
        .filter(school=school)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0))
    except ValueError as exc:
        raise Http404("Неверный год") from exc
    tests = []
    q_lookup = selectors.QValues()
    for row in selectors.school_rows(school, year):
        q_values = q_lookup(row)
        signs = []
        for letter, sign in sorted(selectors.signs_with_evidence(row).items()):
            if not sign.get("applicable"):
                continue
            evidence = sign.get("evidence") or {}
            signs.append(
                {
                    "letter": letter,
                    "title": selectors.SIGN_TITLES.get(letter, letter),
                    "survives": letter in row.surviving,
                    "summary": evidence.get("summary_ru", ""),
                    "p": sign.get("p"),
                    "q": q_values.get(letter),
                    "chart": charts.sign_chart(letter, evidence)
                    if letter in row.surviving or letter in ("c", "b", "g")
                    else None,
                }
            )
        tests.append(
            {
                "row": row,
                "css": selectors.strength_class(row.strength) if row.flagged else "",
                "signs": signs,
                "provisional": selectors.evaluated_against_last_full_pass(row),
            }
        )
    return render(
        request,
        "results/indicators/school_card.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "tests": tests,
            "min_pupils": services.decision_params().min_pupils,
        },
    )


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

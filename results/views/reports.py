"""The ФИС ОКО reports: pages (with SVG charts) and XLSX exports of the same numbers."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from results.forms import ReportFilterForm
from results.reports.figures import report_charts
from results.reports.xlsx import report_workbook
from results.selectors import reports as report_selectors
from results.views.uploads import results_roles_required


def _report_for(request: HttpRequest, kind: str) -> tuple[ReportFilterForm, dict | None]:
    if kind not in report_selectors.REPORT_TITLES:
        raise Http404("Нет такого отчёта")
    form = ReportFilterForm(request.GET, user=request.user)
    filters = form.filters()
    if filters["test"] is None:
        return form, None
    scope = report_selectors.resolve_scope(
        request.user,
        test=filters["test"],
        municipality_id=filters["municipality_id"],
        school_id=filters["school_id"],
        class_label=filters["class_label"],
    )
    return form, report_selectors.build_report(kind, scope)


@results_roles_required
def report_index(request: HttpRequest) -> HttpResponse:
    return redirect("results:report", kind="marks")


@results_roles_required
def report(request: HttpRequest, kind: str) -> HttpResponse:
    form, data = _report_for(request, kind)
    template = (
        "results/reports/report.html#report-body" if request.htmx else "results/reports/report.html"
    )
    return render(
        request,
        template,
        {
            "kind": kind,
            "titles": report_selectors.REPORT_TITLES,
            "form": form,
            "report": data,
            "charts": report_charts(data) if data else [],
            "query": request.GET.urlencode(),
        },
    )


@results_roles_required
def report_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    _, data = _report_for(request, kind)
    if data is None:
        raise Http404("Нет загруженных результатов")
    response = HttpResponse(
        report_workbook(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{kind}-{data['test']['year']}-{data['test']['grade']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

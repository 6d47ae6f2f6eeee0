"""School coordinators: the measures their school answers for, and their reports."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from plans import selectors
from plans.forms import SchoolReportForm
from plans.models import ItemStatus, SchoolReport
from plans.services import execution
from plans.services.errors import PlanError
from schools.roles import Role, coordinated_schools, role_required

coordinator_required = role_required(Role.COORDINATOR)


@coordinator_required
def my_items(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    schools = coordinated_schools(request.user)
    items = list(
        selectors.items_for_coordinator(request.user)
        .select_related("plan", "section")
        .prefetch_related("windows")
        .order_by("plan__period_start", "plan_id", "section__position", "position", "pk")
    )
    reports = {
        r.item_id: r
        for r in SchoolReport.objects.filter(item__in=[i.pk for i in items], school__in=schools)
    }
    show = request.GET.get("show", "open")
    rows = []
    for item in items:
        report = reports.get(item.pk)
        reported_done = report is not None and report.status == ItemStatus.DONE
        if show == "open" and (reported_done or not item.is_open):
            continue
        rows.append(
            {
                "item": item,
                "report": report,
                "is_overdue": item.is_overdue_on(today) and not reported_done,
            }
        )
    return render(
        request,
        "plans/my_items.html",
        {"rows": rows, "show": show, "total": len(items), "schools": list(schools)},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def my_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.get_item_for_coordinator(request.user, pk=item_id)
    school = selectors.coordinator_school_for(request.user, item)
    report = SchoolReport.objects.filter(item=item, school=school).first()
    initial = (
        {
            "status": report.status,
            "completed_on": report.completed_on,
            "report_text": report.report_text,
        }
        if report
        else {}
    )
    form = SchoolReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            execution.report_for_school(
                item=item,
                school=school,
                user=request.user,
                status=data["status"],
                completed_on=data["completed_on"],
                report_text=data["report_text"],
                evidence_file=data["evidence_file"],
                evidence_url=data["evidence_url"] or "",
                evidence_title=data["evidence_title"],
            )
        except PlanError as exc:
            form.add_error(None, exc.message_ru)
        else:
            messages.success(request, "Отчёт сохранён. Спасибо!")
            return redirect("plans:my_items")
    return render(
        request,
        "plans/my_item.html",
        {
            "item": item,
            "school": school,
            "report": report,
            "form": form,
            "evidence": list(item.evidence.filter(school=school)),
            "is_overdue": item.is_overdue_on(timezone.localdate()),
        },
    )

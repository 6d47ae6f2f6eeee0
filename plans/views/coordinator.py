"""School coordinators: the measures their school answers for, and their reports."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from plans import selectors
from plans.forms import SchoolReportForm
from plans.services import execution
from plans.services.errors import PlanError
from schools.roles import Role, role_required

coordinator_required = role_required(Role.COORDINATOR)


@coordinator_required
def my_items(request: HttpRequest) -> HttpResponse:
    page = selectors.coordinator_items_page(
        request.user, show=request.GET.get("show", "open"), today=timezone.localdate()
    )
    return render(request, "plans/my_items.html", page)


@coordinator_required
@require_http_methods(["GET", "POST"])
def my_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.get_item_for_coordinator(request.user, pk=item_id)
    school = selectors.coordinator_school_for(request.user, item)
    report = selectors.school_report(item=item, school=school)
    initial = SchoolReportForm.initial_from(report)
    form = SchoolReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            execution.report_for_school(
                item=item, school=school, user=request.user, **form.report_fields()
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
            "evidence": selectors.school_evidence(item=item, school=school),
            "is_overdue": item.is_overdue_on(timezone.localdate()),
        },
    )

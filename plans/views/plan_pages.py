"""Staff pages of a plan: list, the document page, header, status, copy, outputs."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from plans import selectors
from plans.forms import ItemFilterForm, PlanHeaderForm, PlanStatusForm, SectionForm
from plans.models import Plan, PlanStatus
from plans.services import copying, editing, output
from plans.services.errors import PlanError
from schools.roles import Role, has_role, role_required, staff_required


@role_required(Role.STAFF, Role.ADMINISTRATOR, Role.COORDINATOR)
def index(request: HttpRequest) -> HttpResponse:
    """The plans list for staff; coordinators land on the items of their school."""
    if not has_role(request.user, Role.STAFF, Role.ADMINISTRATOR):
        return redirect("plans:my_items")
    rows = selectors.plan_list_rows(request.user, today=timezone.localdate())
    return render(request, "plans/plan_list.html", {"rows": rows})


def document_context(request: HttpRequest, plan: Plan) -> dict:
    """Everything the plan page and its htmx partials need, filters applied."""
    today = timezone.localdate()
    items = selectors.plan_items(plan)
    form = ItemFilterForm(request.GET or None, months=selectors.month_choices(plan, items))
    cleaned = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ItemFilters(
        status=cleaned.get("status") or "",
        responsible=(cleaned.get("responsible") or "").strip(),
        overdue=bool(cleaned.get("overdue")),
        month=cleaned.get("month") or "",
    )
    return {
        "plan": plan,
        "today": today,
        "sections": selectors.plan_document(plan, today=today, filters=filters, items=items),
        "progress": selectors.plan_progress(items, today=today),
        "filter_form": form,
        "filters": filters,
        "responsible_choices": selectors.responsible_choices(items),
        "item_count": len(items),
        "plan_statuses": PlanStatus.choices,
    }


@staff_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    context = document_context(request, plan)
    template = "plans/plan_detail.html#document" if request.htmx else "plans/plan_detail.html"
    return render(request, template, context)


@staff_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    form = PlanHeaderForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        plan.refresh_from_db()  # the ModelForm already wrote into the instance
        try:
            editing.update_plan(plan=plan, **fields)
        except PlanError as exc:
            form.add_error(None, exc.message_ru)
        else:
            messages.success(request, "Шапка плана сохранена.")
            return redirect("plans:detail", plan.pk)
    return render(request, "plans/plan_edit.html", {"plan": plan, "form": form})


@staff_required
@require_POST
def plan_status(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    form = PlanStatusForm(request.POST)
    if form.is_valid():
        editing.set_plan_status(plan=plan, status=form.cleaned_data["status"])
        messages.success(request, f"Статус плана: {plan.get_status_display()}.")
    return redirect("plans:detail", plan.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def plan_copy(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    if request.method == "POST":
        copy = copying.copy_plan_to_next_period(plan=plan, user=request.user)
        messages.success(
            request,
            "Создан черновик плана на следующий период: сроки сдвинуты на год, статусы сброшены. "
            "Проверьте название, сроки и гриф утверждения.",
        )
        return redirect("plans:detail", copy.pk)
    return render(request, "plans/plan_copy.html", {"plan": plan})


@staff_required
@require_http_methods(["GET", "POST"])
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    if request.method == "POST":
        title = plan.title
        editing.delete_plan(plan=plan)
        messages.success(request, f"План «{title[:80]}» удалён.")
        return redirect("plans:index")
    return render(
        request, "plans/plan_delete.html", {"plan": plan, "item_count": plan.items.count()}
    )


@staff_required
def plan_timeline(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    items = selectors.plan_items(plan)
    timeline = selectors.plan_timeline(plan, items)
    return render(request, "plans/plan_timeline.html", {"plan": plan, "timeline": timeline})


@staff_required
@require_POST
def plan_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    document = "report" if request.POST.get("document") == "report" else "plan"
    job = output.start_pdf_job(plan=plan, user=request.user, document=document)
    return redirect("job_detail", job.pk)


@staff_required
def plan_xlsx(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    content = output.render_plan_xlsx(plan=plan)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.xlsx"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def section_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk=plan_id)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        editing.add_section(plan=plan, **form.cleaned_data)
        return back_to_document(request, plan)
    return render(request, "plans/section_form.html", {"plan": plan, "form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, section_id: int) -> HttpResponse:
    section = selectors.get_section_for_user(request.user, pk=section_id)
    form = SectionForm(
        request.POST or None, initial={"number": section.number, "title": section.title}
    )
    if request.method == "POST" and form.is_valid():
        editing.update_section(section=section, **form.cleaned_data)
        return back_to_document(request, section.plan)
    return render(
        request,
        "plans/section_form.html",
        {"plan": section.plan, "section": section, "form": form},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def section_delete(request: HttpRequest, section_id: int) -> HttpResponse:
    section = selectors.get_section_for_user(request.user, pk=section_id)
    plan = section.plan
    if request.method == "POST":
        count = editing.delete_section(section=section)
        messages.success(request, f"Раздел удалён вместе с мероприятиями ({count}).")
        return back_to_document(request, plan)
    return render(
        request,
        "plans/section_delete.html",
        {"plan": plan, "section": section, "item_count": section.items.count()},
    )


def back_to_document(request: HttpRequest, plan: Plan, *, anchor: str = "") -> HttpResponse:
    """After a change: htmx reloads the document itself (keeping the filters the page
    shows, which a POST doesn't carry); without htmx, back to the plan page."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Trigger"] = "plan-changed"
        return response
    response = redirect("plans:detail", plan.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response

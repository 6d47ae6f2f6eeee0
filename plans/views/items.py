"""Staff editing of items in the plan page (htmx rows) and the item's execution page."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plans import selectors
from plans.forms import EvidenceForm, ItemForm, ItemStatusForm
from plans.models import Item
from plans.services import editing, execution
from plans.services.errors import PlanError
from plans.views.plan_pages import back_to_document
from schools.roles import staff_required


def _node(item: Item) -> selectors.ItemNode:
    depth, parent = 0, item.parent
    while parent is not None:
        depth, parent = depth + 1, parent.parent
    return selectors.ItemNode(
        item=item, depth=depth, is_overdue=item.is_overdue_on(timezone.localdate())
    )


def _row(request: HttpRequest, item: Item, partial: str, **extra) -> HttpResponse:
    context = {"node": _node(item), "plan": item.plan, **extra}
    return render(request, f"plans/plan_detail.html#{partial}", context)


@staff_required
@require_GET
def item_row(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.get_item_for_user(request.user, pk=item_id)
    return _row(request, item, "item-row")


@staff_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    """Inline editing: the row turns into a form; saving reloads the document."""
    item = selectors.get_item_for_user(request.user, pk=item_id)
    form = ItemForm.for_item(item, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            editing.update_item(item=item, **form.service_fields())
        except PlanError as exc:
            form.add_error(None, exc.message_ru)
        else:
            return back_to_document(request, item.plan, anchor=f"item-{item.pk}")
    if request.htmx:
        return _row(request, item, "item-form-row", form=form)
    return render(request, "plans/item_form.html", {"plan": item.plan, "item": item, "form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def item_add(request: HttpRequest, section_id: int) -> HttpResponse:
    section = selectors.get_section_for_user(request.user, pk=section_id)
    parent = _sibling_or_none(request, section, "parent")
    after = _sibling_or_none(request, section, "after")
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        manual_window = fields.pop("manual_window")
        try:
            item = editing.add_item(section=section, parent=parent, after=after, **fields)
            if manual_window:
                editing.apply_deadline(
                    item=item, text=item.deadline_text, manual_window=manual_window
                )
                item.save()
        except PlanError as exc:
            form.add_error(None, exc.message_ru)
        else:
            messages.success(request, "Мероприятие добавлено.")
            return back_to_document(request, section.plan, anchor=f"item-{item.pk}")
    template = "plans/item_add_form.html#form" if request.htmx else "plans/item_add_form.html"
    return render(
        request,
        template,
        {"plan": section.plan, "section": section, "parent": parent, "after": after, "form": form},
    )


def _sibling_or_none(request: HttpRequest, section, name: str) -> Item | None:
    raw = request.GET.get(name) or request.POST.get(name)
    if not raw:
        return None
    item = selectors.get_item_for_user(request.user, pk=raw)
    if item.section_id != section.pk:
        raise Http404("Мероприятие не найдено")
    return item


@staff_required
@require_POST
def item_status(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.get_item_for_user(request.user, pk=item_id)
    form = ItemStatusForm(request.POST)
    if form.is_valid():
        report_text = form.cleaned_data["report_text"] if "report_text" in request.POST else None
        try:
            execution.set_item_status(
                item=item,
                status=form.cleaned_data["status"],
                completed_on=form.cleaned_data["completed_on"],
                report_text=report_text,
            )
        except PlanError as exc:
            messages.error(request, exc.message_ru)
    else:
        messages.error(request, "Статус не изменён: проверьте дату выполнения.")
    if request.POST.get("next") == "execution":
        return redirect("plans:item_execution", item.pk)
    return back_to_document(request, item.plan, anchor=f"item-{item.pk}")


@staff_required
@require_POST
def item_move(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.get_item_for_user(request.user, pk=item_id)
    section_id = request.POST.get("section")
    if section_id:
        section = selectors.get_section_for_user(request.user, pk=section_id)
        try:
            editing.move_item_to_section(item=item, section=section)
        except PlanError as exc:
            messages.error(request, exc.message_ru)
    else:
        editing.move_item(item=item, direction=request.POST.get("direction", ""))
    return back_to_document(request, item.plan, anchor=f"item-{item.pk}")


@staff_required
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    """GET asks for confirmation (naming the sub-items that go too); POST deletes."""
    item = selectors.get_item_for_user(request.user, pk=item_id)
    plan = item.plan
    if request.method == "POST":
        count = editing.delete_item(item=item)
        messages.success(
            request, "Мероприятие удалено." if count == 1 else f"Удалено мероприятий: {count}."
        )
        return back_to_document(request, plan)
    extra = {"descendants": editing.count_descendants(item)}
    if request.htmx:
        return _row(request, item, "item-delete-row", **extra)
    return render(request, "plans/item_delete.html", {"plan": plan, "item": item, **extra})


@staff_required
@require_GET
def item_execution(request: HttpRequest, item_id: int) -> HttpResponse:
    """Status, report, evidence and the schools' reports of one measure."""
    item = selectors.get_item_for_user(request.user, pk=item_id)
    school_ids = execution.responsible_school_ids(item)
    reports = selectors.item_school_reports(item)
    return render(
        request,
        "plans/item_execution.html",
        {
            "plan": item.plan,
            "item": item,
            "node": _node(item),
            "status_form": ItemStatusForm(
                initial={
                    "status": item.status,
                    "completed_on": item.completed_on,
                    "report_text": item.report_text,
                }
            ),
            "evidence_form": EvidenceForm(),
            "evidence": selectors.item_evidence(item),
            "school_reports": reports,
            "schools_expected": len(school_ids),
            "schools_done": sum(1 for r in reports if r.status == "done"),
        },
    )


@staff_required
@require_POST
def evidence_add(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.get_item_for_user(request.user, pk=item_id)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            execution.add_evidence(
                item=item,
                user=request.user,
                file=form.cleaned_data["file"],
                url=form.cleaned_data["url"] or "",
                title=form.cleaned_data["title"],
            )
        except PlanError as exc:
            messages.error(request, exc.message_ru)
        else:
            messages.success(request, "Подтверждение добавлено.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("plans:item_execution", item.pk)


@staff_required
@require_POST
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = selectors.get_evidence_for_user(request.user, pk=evidence_id)
    # Coordinators' own files are reachable above too; only staff pages delete.
    item = selectors.get_item_for_user(request.user, pk=evidence.item_id)
    execution.delete_evidence(evidence=evidence)
    messages.success(request, "Подтверждение удалено.")
    return redirect("plans:item_execution", item.pk)


@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404("Файл не найден")
    evidence = selectors.get_evidence_for_user(request.user, pk=evidence_id)
    if not evidence.file:
        raise Http404("У этого подтверждения нет файла")
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.filename)

"""Importing a plan: upload or paste, preview and correct (htmx), then save all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from plans import selectors
from plans.forms import PlanUploadForm
from plans.models import PlanImportDraft
from plans.services import importing
from plans.services.errors import PlanImportError
from schools.roles import staff_required

# Fields the preview edits, with the widget each one needs.
PLAN_FIELD_WIDGETS = {
    "title": "textarea",
    "period_start": "date",
    "period_end": "date",
    "approval_position": "textarea",
    "approval_name": "text",
    "approval_date": "date",
    "basis": "textarea",
    "order": "textarea",
    "goal": "textarea",
    "tasks": "lines",
    "expected_results": "lines",
}
SECTION_FIELD_WIDGETS = {"number": "text", "title": "textarea"}
ITEM_FIELD_WIDGETS = {
    "number": "text",
    "text": "textarea",
    "deadline": "text",
    "responsible": "lines",
    "expected_result": "textarea",
}


@staff_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    municipalities = list(selectors.staff_municipalities(request.user))
    form = PlanUploadForm(
        request.POST or None, request.FILES or None, municipalities=municipalities
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        municipality = form.chosen_municipality()
        if municipality is None:
            errors = ["Выберите муниципалитет."]
        else:
            # Parsed by a worker, never here: the job page follows it to the preview.
            job = importing.submit_import(
                municipality=municipality, user=request.user, **form.plan_source()
            )
            return redirect("job_detail", job.pk)
    return render(
        request,
        "plans/import_upload.html",
        {
            "form": form,
            "errors": errors,
            "drafts": selectors.recent_drafts(request.user),
            "draft_days": settings.PLANS_IMPORT_DRAFT_DAYS,
            "max_upload_mb": settings.PLANS_IMPORT_MAX_UPLOAD_MB,
        },
    )


@staff_required
def import_preview(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.get_draft_for_user(request.user, pk=draft_id)
    return render(request, "plans/import_preview.html", _preview_context(draft))


def _preview_context(draft: PlanImportDraft, errors: list[str] | None = None) -> dict:
    return {
        "draft": draft,
        "data": draft.data,
        "sections": selectors.draft_document(draft),
        "counts": selectors.draft_counts(draft),
        "plan_warnings": [w for w in draft.warnings if not w.get("item_path")],
        "item_warning_count": sum(1 for w in draft.warnings if w.get("item_path")),
        "errors": errors or [],
    }


def _field_value(draft: PlanImportDraft, path: tuple[int, ...], field: str):
    node = importing.draft_node(draft.data, path)
    if not path:
        if field.startswith("period_"):
            return (node.get("period") or {}).get(field.removeprefix("period_"))
        if field.startswith("approval_"):
            return (node.get("approval") or {}).get(field.removeprefix("approval_"))
    return node.get(field)


def _widget(path: tuple[int, ...], field: str) -> str | None:
    widgets = (
        PLAN_FIELD_WIDGETS
        if not path
        else SECTION_FIELD_WIDGETS
        if len(path) == 1
        else ITEM_FIELD_WIDGETS
    )
    return widgets.get(field)


@staff_required
@require_http_methods(["GET", "POST"])
def import_field(request: HttpRequest, draft_id: int) -> HttpResponse:
    """One editable field of the preview: shown, edited (GET ?edit=1) or saved (POST)."""
    draft = selectors.get_draft_for_user(request.user, pk=draft_id)
    params = request.POST if request.method == "POST" else request.GET
    target, field = params.get("target", ""), params.get("field", "")
    try:
        path = importing.parse_target(target)
        importing.draft_node(draft.data, path)
    except PlanImportError as exc:
        return HttpResponse(exc.message_ru, status=400)
    if field == "delete" and request.method == "POST":
        importing.update_draft_field(draft=draft, target=target, field=field, value="")
        draft.refresh_from_db()
        return render(request, "plans/import_preview.html#document", _preview_context(draft))
    widget = _widget(path, field)
    if widget is None:
        return HttpResponse("Это поле нельзя изменить.", status=400)
    field_page = _FieldPage(request, draft, path, target, field, widget)
    if request.method == "POST":
        return _save_field(field_page, params.get("value", ""))
    value = _field_value(draft, path, field)
    return field_page.render(value, editing=params.get("edit") == "1")


@dataclass
class _FieldPage:
    """The partial of one field of the preview, as ``import_field`` renders it."""

    request: HttpRequest
    draft: PlanImportDraft
    path: tuple[int, ...]
    target: str
    field: str
    widget: str

    def render(self, value: Any, *, editing: bool = False, error: str = "") -> HttpResponse:
        if isinstance(value, list):
            value_text = "\n".join(str(v) for v in value)
        elif isinstance(value, dict):
            value_text = value.get("text") or ""
        else:
            value_text = "" if value is None else str(value)
        return render(
            self.request,
            "plans/_draft_field.html",
            {
                "draft": self.draft,
                "target": self.target,
                "field": self.field,
                "widget": self.widget,
                "value": value,
                "value_text": value_text,
                "editing": bool(error) or editing,
                "error": error,
            },
        )


def _save_field(page: _FieldPage, value: str) -> HttpResponse:
    """Save the posted value: the field shown again, or with the error and the value typed."""
    try:
        importing.update_draft_field(
            draft=page.draft, target=page.target, field=page.field, value=value
        )
    except PlanImportError as exc:
        return page.render(value, error=exc.message_ru)
    if page.field in ("period_start", "period_end"):
        # Every deadline was re-read within the new period: show them all again.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    page.draft.refresh_from_db()
    return page.render(_field_value(page.draft, page.path, page.field))


@staff_required
@require_POST
def import_commit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.get_draft_for_user(request.user, pk=draft_id)
    try:
        plan = importing.commit_draft(draft=draft)
    except PlanImportError as exc:
        return render(
            request, "plans/import_preview.html", _preview_context(draft, errors=exc.errors)
        )
    messages.success(request, f"План сохранён: мероприятий — {plan.items.count()}.")
    return redirect("plans:detail", plan.pk)


@staff_required
@require_POST
def import_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.get_draft_for_user(request.user, pk=draft_id)
    draft.delete()
    messages.info(request, "Загрузка отменена, план не сохранён.")
    return redirect("plans:import")

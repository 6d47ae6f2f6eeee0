"""Upload page, upload history and an upload's progress (the job row, polled by htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from results import selectors
from results.forms import UploadForm
from results.models import UploadSource
from results.selectors.uploads import recompute_job_of, version_history_for_user
from results.services import uploads as upload_services
from schools.roles import Role, get_school_for_user, role_required
from vpr_portal import audit

results_roles_required = role_required(Role.COORDINATOR, Role.STAFF, Role.ADMINISTRATOR)


@results_roles_required
@require_http_methods(["GET", "POST"])
def upload_list(request: HttpRequest) -> HttpResponse:
    """The upload form, the uploads in the user's scope and the current data."""
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        with transaction.atomic():
            created = upload_services.submit_upload(
                file=uploaded,
                filename=uploaded.name,
                user=request.user,
                test=form.cleaned_data.get("test"),
                school=form.cleaned_data.get("school"),
                municipality=form.cleaned_data.get("municipality"),
                source=UploadSource.WEB,
            )
        if created.upload is None:
            messages.info(request, created.unchanged.message)
            previous = created.unchanged.upload
            if selectors.uploads_for_user(request.user).filter(pk=previous.pk).exists():
                return redirect("results:upload_detail", previous.pk)
            return redirect("results:upload_list")
        return redirect("results:upload_detail", created.upload.pk)

    page = Paginator(selectors.uploads_for_user(request.user), 20).get_page(request.GET.get("page"))
    current = selectors.current_versions_for_user(request.user)[:200]
    return render(
        request,
        "results/upload_list.html",
        {"form": form, "page": page, "current": current},
    )


@results_roles_required
def upload_detail(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = selectors.get_upload_for_user(request.user, upload_id)
    template = (
        "results/upload_detail.html#upload-status" if request.htmx else "results/upload_detail.html"
    )
    versions = upload.versions.select_related("school").order_by("school__login")
    recompute = recompute_job_of(upload.pk)
    context = {"upload": upload, "job": upload.job, "versions": versions, "recompute": recompute}
    return render(request, template, context)


@results_roles_required
def upload_file(request: HttpRequest, upload_id: int) -> FileResponse:
    upload = selectors.get_upload_for_user(request.user, upload_id)
    if not upload.file:
        raise Http404("Файл не хранится: он был отклонён при загрузке")
    audit.log_pupil_access(
        user=request.user,
        route="results:upload_file",
        school_ids=audit.upload_school_ids(upload),
        row_count=upload.rows_total,
    )
    return FileResponse(
        upload.file.open("rb"), as_attachment=True, filename=upload.original_filename
    )


@results_roles_required
def upload_error_report(request: HttpRequest, upload_id: int) -> FileResponse:
    upload = selectors.get_upload_for_user(request.user, upload_id)
    if not upload.error_report:
        raise Http404("Отчёта об ошибках нет")
    stem = upload.original_filename.rsplit(".", 1)[0]
    audit.log_pupil_access(
        user=request.user,
        route="results:upload_errors",
        school_ids=audit.upload_school_ids(upload),
        row_count=upload.rows_rejected,
    )
    return FileResponse(
        upload.error_report.open("rb"), as_attachment=True, filename=f"ошибки — {stem}.xlsx"
    )


@results_roles_required
def version_history(request: HttpRequest, school_id: int, test_id: int) -> HttpResponse:
    school = get_school_for_user(request.user, pk=school_id)
    versions = version_history_for_user(request.user, school_id=school.pk, test_id=test_id)
    if not versions:
        raise Http404("Результатов нет")
    visible = set(
        selectors.uploads_for_user(request.user)
        .filter(pk__in=[v.upload_id for v in versions])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "results/version_history.html",
        {
            "school": school,
            "test": versions[0].test,
            "versions": versions,
            "visible_uploads": visible,
        },
    )

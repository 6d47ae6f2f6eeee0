from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schools import selectors, services
from schools.forms import RegistryUploadForm, SchoolFilterForm
from schools.roles import get_school_for_user, staff_required


@staff_required
def school_list(request: HttpRequest) -> HttpResponse:
    municipalities = selectors.visible_municipalities(request.user)
    form = SchoolFilterForm(request.GET or None, municipalities=municipalities)
    filters = form.cleaned_data if form.is_valid() else {}
    active = {"1": True, "0": False}.get(filters.get("active") or "")
    ordering = request.GET.get("sort", "name")
    schools = selectors.schools_for_user(
        request.user,
        search=(filters.get("q") or "").strip(),
        municipality_id=filters.get("municipality"),
        school_type=filters.get("school_type") or "",
        locality=filters.get("locality") or "",
        active=active,
        ordering=ordering,
    )
    page = Paginator(schools, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "schools/school_list.html#results" if request.htmx else "schools/school_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "ordering": ordering, "query": query.urlencode()},
    )


@staff_required
def school_detail(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school_for_user(request.user, pk=school_id)
    return render(request, "schools/school_detail.html", {"school": school})


@staff_required
@require_http_methods(["GET", "POST"])
def registry_import(request: HttpRequest) -> HttpResponse:
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            report = services.import_school_registry(
                source=uploaded, filename=uploaded.name, user=request.user
            )
        except services.RegistryImportError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                f"Реестр загружен: новых ОО — {report.created}, обновлено — {report.updated}.",
            )
            return redirect("schools:list")
    return render(request, "schools/registry_import.html", {"form": form, "errors": errors})

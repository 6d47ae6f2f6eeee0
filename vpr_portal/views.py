"""Cross-cutting views: landing dashboard, health, background job pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vpr_portal import selectors, services
from vpr_portal.demo import DEMO_PASSWORD
from vpr_portal.models import Job

DEMO_USERS = [
    ("admin", "Администратор"),
    ("staff", "Специалист управления образования"),
    ("region", "Специалист регионального уровня"),
    ("coordinator", "Школьный координатор (лицей № 1)"),
    ("coordinator2", "Школьный координатор (СОШ № 2)"),
    ("observer", "Общественный наблюдатель"),
    ("expert", "Эксперт предметной комиссии"),
]


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.PORTAL_SHOW_DEMO_USERS:
            context["demo_users"] = DEMO_USERS
            context["demo_password"] = DEMO_PASSWORD
        return context


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Landing page: each role sees its own starting points."""
    context = selectors.dashboard_for(request.user)
    return render(request, "portal/dashboard.html", context)


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For monitoring: database, broker and a worker round-trip. 503 when any is down."""
    checks = {}
    for name, check in (
        ("database", services.check_database),
        ("broker", services.check_broker),
        ("worker", services.check_worker),
    ):
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )


def _get_job_for_user(request: HttpRequest, job_id: int) -> Job:
    job = selectors.jobs_for_user(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404("Задача не найдена")
    return job


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _get_job_for_user(request, job_id)
    # sec-uploads: a job that prepares a page (the plan import's preview) goes on to it.
    result = job.result if isinstance(job.result, dict) else {}
    next_url = str(result.get("next_url", ""))
    if job.status == "succeeded" and result.get("redirect") and next_url.startswith("/"):
        if request.htmx:
            return HttpResponse(headers={"HX-Redirect": next_url})
        return redirect(next_url)
    template = "portal/job_detail.html#job-status" if request.htmx else "portal/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = _get_job_for_user(request, job_id)
    if not job.output_file:
        raise Http404("Файл ещё не готов")
    return FileResponse(
        job.output_file.open("rb"),
        as_attachment=True,
        filename=job.output_file.name.rsplit("/", 1)[-1],
    )


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = selectors.jobs_for_user(request.user).exclude(kind="ping")[:50]
    return render(request, "portal/job_list.html", {"jobs": jobs})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        # The API answers JSON even for a path no route matches (e.g. /api/results/1.5/).
        return JsonResponse({"detail": "Страница не найдена."}, status=404)
    return render(request, "404.html", status=404)

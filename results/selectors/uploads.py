"""Uploads, versions and pupils' rows a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from results.models import PupilResult, ResultSlot, ResultVersion, Upload
from schools import roles
from vpr_portal.models import Job


def _scope_q(user: Any, *, school_field: str, municipality_field: str | None) -> Q | None:
    """None: everything; Q(pk__in=[]) semantics for nothing."""
    if roles.sees_everything(user):
        return None
    q = Q(**{f"{school_field}__in": roles.coordinated_schools(user).values("pk")})
    if roles.is_department_staff(user):
        q |= Q(**{f"{school_field}__in": roles.visible_schools(user).values("pk")})
        if municipality_field:
            municipalities = roles.visible_municipalities(user).values("pk")
            q |= Q(**{f"{municipality_field}__in": municipalities})
    return q


def uploads_for_user(user: Any) -> QuerySet[Upload]:
    """Coordinators: their school's uploads; staff: their schools' and municipalities'.

    A municipal export holds other schools' rows, so a coordinator does not see it in
    the list (their school's versions from it are shown without the file).
    """
    uploads = Upload.objects.select_related("test", "school", "municipality", "created_by", "job")
    q = _scope_q(user, school_field="school", municipality_field="municipality")
    return uploads if q is None else uploads.filter(q)


def get_upload_for_user(user: Any, pk: int) -> Upload:
    upload = uploads_for_user(user).filter(pk=pk).first()
    if upload is None:
        raise Http404("Загрузка не найдена")
    return upload


def current_versions_for_user(user: Any, *, test_id: int | None = None) -> QuerySet[ResultSlot]:
    """The current version of each school × test the user may see."""
    slots = ResultSlot.objects.filter(current__isnull=False).select_related(
        "school", "test", "current__upload__created_by"
    )
    if test_id:
        slots = slots.filter(test_id=test_id)
    q = _scope_q(user, school_field="school", municipality_field=None)
    slots = slots if q is None else slots.filter(q)
    return slots.order_by("-test__year", "test__grade", "test__subject", "school__login")


def version_history_for_user(user: Any, *, school_id: int, test_id: int) -> QuerySet[ResultVersion]:
    roles.get_school_for_user(user, pk=school_id)  # 404 outside the scope
    return (
        ResultVersion.objects.filter(school_id=school_id, test_id=test_id)
        .select_related("upload__created_by")
        .order_by("-number")
    )


def results_for_user(user: Any) -> QuerySet[PupilResult]:
    """Pupils' rows of the schools the user may see."""
    rows = PupilResult.objects.all()
    q = _scope_q(user, school_field="school", municipality_field=None)
    return rows if q is None else rows.filter(q)


#: The job row that says «признаки пересчитываются…» while the signs follow an upload
#: (started by ``results.services.uploads.start_recompute_job``).
RECOMPUTE_JOB_KIND = "indicators_recompute"


def recompute_job_of(upload_id: int) -> Job | None:
    """The latest recompute of the signs started by the upload, if any."""
    return (
        Job.objects.filter(kind=RECOMPUTE_JOB_KIND, params__upload_id=upload_id)
        .order_by("-pk")
        .first()
    )

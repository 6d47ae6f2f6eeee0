"""Audit trail services: import batches and reads of pupil-level rows (issue 11).

Model history (who changed a plan, a school, the catalog, …) is django-simple-history's
(`history = HistoricalRecords()` on the models, the acting user from its middleware); this
module records what the history cannot see:

* `records_import(kind)`: a decorator for an import service. It writes one `ImportBatch` per
  call — who (the `user` argument, else the request's user, else none: the command line),
  when, the file, and the created/updated/refused counts — also when the file is refused.
* `record_upload(upload)`: the same for a results upload when it ends (a worker's job).
* `log_pupil_access(...)`: a row of `PupilDataAccess` for every page, API answer or file that
  shows pupils' rows (user id, route, school ids, row count; never a participant code).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from vpr_portal.models import ImportBatch, ImportKind, PupilDataAccess

logger = logging.getLogger("vpr_portal.audit")

Counts = tuple[int, int, int]


def _current_request() -> Any:
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _acting_user(user: Any = None) -> Any:
    if user is None:
        request = _current_request()
        user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _channel(default: str = "") -> str:
    request = _current_request()
    if request is None:
        return default or "cli"
    return "api" if request.path.startswith("/api/") else "web"


def record_import(
    *,
    kind: str,
    user: Any = None,
    channel: str = "",
    file_name: str = "",
    created: int = 0,
    updated: int = 0,
    refused: int = 0,
    succeeded: bool = True,
    reference: str = "",
) -> ImportBatch | None:
    """Write one ImportBatch; an audit failure is logged and never breaks the import."""
    try:
        with transaction.atomic():
            return ImportBatch.objects.create(
                kind=kind,
                channel=(channel or _channel())[:10],
                user=_acting_user(user),
                file_name=str(file_name or "")[:255],
                created=max(0, int(created)),
                updated=max(0, int(updated)),
                refused=max(0, int(refused)),
                succeeded=succeeded,
                reference=reference[:100],
            )
    except Exception:  # the record must not turn a finished import into a failure
        logger.exception("Could not record an import batch of kind %s", kind)
        return None


def _default_counts(result: Any) -> Counts:
    return (
        int(getattr(result, "created", 0) or 0),
        int(getattr(result, "updated", 0) or 0),
        int(getattr(result, "refused", 0) or 0),
    )


def records_import(
    kind: str,
    *,
    counts: Callable[[Any], Counts] = _default_counts,
    reference: Callable[[Any], str] | None = None,
) -> Callable:
    """Decorate an import service (keyword-only arguments) to record each call as a batch.

    A refusal is an exception with `errors` (a list of Russian messages) or `message_ru`: the
    batch is recorded as refused with the number of messages, and the exception goes on.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = kwargs.get("user")
            file_name = kwargs.get("filename") or kwargs.get("source_name") or ""
            if not file_name and hasattr(kwargs.get("data"), "name"):
                file_name = kwargs["data"].name
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                errors = getattr(exc, "errors", None)
                if isinstance(errors, list | tuple) or hasattr(exc, "message_ru"):
                    record_import(
                        kind=kind,
                        user=user,
                        file_name=file_name,
                        refused=len(errors) if isinstance(errors, list | tuple) else 1,
                        succeeded=False,
                    )
                raise
            created, updated, refused = counts(result)
            record_import(
                kind=kind,
                user=user,
                file_name=file_name,
                created=created,
                updated=updated,
                refused=refused,
                reference=reference(result) if reference else "",
            )
            return result

        wrapper.audit_import_kind = kind
        return wrapper

    return decorate


def record_upload(upload: Any) -> ImportBatch | None:
    """A results upload has ended (applied, unchanged, superseded or refused)."""
    applied = upload.status in ("applied", "unchanged", "superseded")
    return record_import(
        kind=ImportKind.RESULTS,
        user=upload.created_by,
        channel=upload.source,
        file_name=upload.original_filename,
        created=upload.rows_applied if applied else 0,
        refused=upload.rows_rejected if not applied else 0,
        succeeded=applied,
        reference=f"upload:{upload.pk}",
    )


def log_pupil_access(
    *,
    user: Any,
    route: str,
    school_ids: Iterable[int | None],
    row_count: int,
    channel: str = "",
) -> PupilDataAccess:
    """Record that `user` was shown `row_count` pupils' rows of these schools."""
    ids = sorted({int(pk) for pk in school_ids if pk is not None})
    entry = PupilDataAccess.objects.create(
        user_ref=getattr(user, "pk", None),
        route=route[:200],
        channel=(channel or _channel())[:10],
        school_ids=ids,
        row_count=max(0, int(row_count)),
    )
    logger.info(
        "pupil rows shown: user=%s route=%s schools=%s rows=%s",
        entry.user_ref,
        entry.route,
        ids,
        entry.row_count,
    )
    return entry


def upload_school_ids(upload: Any) -> list[int]:
    """The schools whose rows an uploaded file (or its error report) holds, as far as known."""
    if upload.school_id:
        return [upload.school_id]
    return list(upload.versions.values_list("school_id", flat=True))


class LogsPupilRows:
    """For a DRF viewset of pupils' rows: every list page and detail shown is logged."""

    audit_route = ""

    def _audit(self, request: Any, rows: list[Any]) -> None:
        log_pupil_access(
            user=request.user,
            route=self.audit_route or request.resolver_match.view_name,
            school_ids=[row.school_id for row in rows],
            row_count=len(rows),
            channel="api",
        )

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from rest_framework.response import Response

        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        self._audit(request, rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from rest_framework.response import Response

        row = self.get_object()
        self._audit(request, [row])
        return Response(self.get_serializer(row).data)

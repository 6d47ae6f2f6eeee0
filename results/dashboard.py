"""Panels of the landing page: where coordinators and staff upload and read results."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from results.models import UploadStatus
from results.selectors import uploads_for_user


def results_panel(user: Any) -> dict:
    uploads = uploads_for_user(user)
    last = uploads.first()
    pending = uploads.filter(status__in=[UploadStatus.QUEUED, UploadStatus.PROCESSING]).count()
    text = "Загрузите выгрузку ФИС ОКО или форму сбора результатов."
    if last is not None:
        text = f"Последняя загрузка: {last.original_filename} — {last.get_status_display()}."
    if pending:
        text += f" В обработке: {pending}."
    return {
        "title": "Результаты ВПР",
        "text": text,
        "links": [
            {"url": reverse("results:upload_list"), "label": "Загрузить результаты"},
            {"url": reverse("results:reports"), "label": "Отчёты"},
        ],
    }

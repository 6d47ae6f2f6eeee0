"""Reading plan documents through the Django-free parser (plans.parsing).

Everything the parser says goes through here, so the rest of the app deals with one
error type (PlanImportError, Russian messages) and one data shape: the ``--json`` dict of
``ParsedPlan.to_json_dict()``, plus a few extra keys the preview needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from guarded_archive import MiB, limits_from_settings
from plans.parsing import (
    PlanParseError,
    ReadLimits,
    parse_deadline,
    parse_plan,
    split_responsible,
)
from plans.services.errors import PlanImportError

logger = logging.getLogger(__name__)


@dataclass
class ReadPlan:
    """A document read by the parser: the contract dict and what the preview shows."""

    data: dict[str, Any]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    source_format: str = ""
    json_dict: dict[str, Any] = field(default_factory=dict)


def read_plan_document(
    *, source: Any, filename: str | None = None, format: str = "auto"
) -> ReadPlan:
    """Parse a file (path, bytes, file object) or pasted text into a ReadPlan.

    ``data`` is the contract dict with ``responsible_text`` (the cell as written) added to
    each item; ``json_dict`` is exactly the contract (for ``import_plan --json``).
    """
    try:
        parsed = parse_plan(source, format=format, filename=filename, limits=read_limits())
    except PlanParseError as exc:
        raise PlanImportError(str(exc)) from exc
    except Exception as exc:  # the parser promises not to, but a traceback must never reach users
        logger.exception("Plan parser failed on %s", filename)
        raise PlanImportError(
            "Не удалось разобрать документ из-за внутренней ошибки. Сообщите администратору."
        ) from exc
    json_dict = parsed.to_json_dict()
    data = parsed.to_json_dict()
    for section_data, section in zip(data["sections"], parsed.sections, strict=True):
        _add_responsible_text(section_data["items"], section.items)
    warnings = [
        {
            "code": w.code,
            "message": w.message,
            "item_path": list(w.item_path) if w.item_path is not None else None,
            "field": w.field,
            "word": w.word,
        }
        for w in parsed.warnings
    ]
    return ReadPlan(
        data=data, warnings=warnings, source_format=parsed.source_format, json_dict=json_dict
    )


def read_limits() -> ReadLimits:
    """The plan documents' limits from settings (``PLANS_IMPORT_MAX_*``)."""
    from django.conf import settings

    return ReadLimits(
        max_file_bytes=settings.PLANS_IMPORT_MAX_UPLOAD_MB * MiB, zip=limits_from_settings("plans")
    )


def _add_responsible_text(items_data: list[dict], items: list[Any]) -> None:
    for item_data, item in zip(items_data, items, strict=True):
        item_data["responsible_text"] = item.responsible_text
        _add_responsible_text(item_data["children"], item.children)


def understand_deadline(
    text: str, *, period_start: date | None, period_end: date | None
) -> tuple[str, list[tuple[date, date]]]:
    """(kind, windows) of a deadline text within the plan period."""
    parsed = parse_deadline(text, period_start=period_start, period_end=period_end)
    return parsed.kind, list(parsed.windows)


def split_responsible_text(text: str) -> list[str]:
    """The parties of a «Ответственные» cell, as the importer splits them."""
    return split_responsible(text)

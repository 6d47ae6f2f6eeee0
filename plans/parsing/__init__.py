"""Django-free parsing of plans of measures (планы мероприятий по объективности ВПР).

Public API::

    parse_plan(source, *, format="auto", filename=None) -> ParsedPlan
    parse_deadline(text, *, period_start=None, period_end=None) -> ParsedDeadline
    infer_plan_period(title_and_header_text, deadlines) -> (date, date) | None
    split_responsible(text) -> list[str]
    read_docx(source) / read_xlsx(source) / read_text(text) / read_document(source, …)
        -> RawDocument (header lines above the table + table rows of cell strings)
    build_plan(raw_document) -> ParsedPlan
    PlanParseError — the only exception for bad input; str(error) is a Russian message.

``ParsedPlan.to_json_dict()`` gives the ``import_plan --json`` shape (see :mod:`.model`);
``ParsedPlan.warnings`` lists what staff should review (row-numbered, in Russian).
Nothing in this package imports Django.
"""

from .deadlines import KINDS, ParsedDeadline, infer_plan_period, parse_deadline
from .errors import PlanParseError
from .model import (
    DEADLINE,
    EXPECTED_RESULT,
    FIELDS,
    NUMBER,
    RESPONSIBLE,
    TEXT,
    Approval,
    ParsedPlan,
    ParseWarning,
    PlanItem,
    PlanSection,
    RawDocument,
    RawRow,
)
from .normalize import mixed_script_words
from .plan import build_plan, parse_plan
from .readers import (
    FORMATS,
    PlanSource,
    ReadLimits,
    read_document,
    read_docx,
    read_xlsx,
    resolve_format,
)
from .responsible import split_responsible
from .text_layouts import read_text

__all__ = [
    "DEADLINE",
    "EXPECTED_RESULT",
    "FIELDS",
    "FORMATS",
    "KINDS",
    "NUMBER",
    "RESPONSIBLE",
    "TEXT",
    "Approval",
    "ParseWarning",
    "ParsedDeadline",
    "ParsedPlan",
    "PlanItem",
    "PlanParseError",
    "PlanSection",
    "PlanSource",
    "RawDocument",
    "RawRow",
    "ReadLimits",
    "build_plan",
    "infer_plan_period",
    "mixed_script_words",
    "parse_deadline",
    "parse_plan",
    "read_document",
    "read_docx",
    "read_text",
    "read_xlsx",
    "resolve_format",
    "split_responsible",
]

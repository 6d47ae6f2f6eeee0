"""Dataclasses of the plan parser: raw tables read from a document and the parsed plan.

:class:`ParsedPlan` serialises with :meth:`ParsedPlan.to_json_dict` to exactly this shape
(the ``import_plan --json`` contract)::

    {"title": str, "period": {"start": "YYYY-MM-DD"|null, "end": "YYYY-MM-DD"|null},
     "approval": {"position": str, "name": str, "date": "YYYY-MM-DD"|null} | null,
     "basis": str|null, "order": str|null, "goal": str|null, "tasks": [str],
     "expected_results": [str],
     "sections": [{"number": str|null, "title": str|null, "items": [ITEM]}]}
    ITEM = {"number": str|null, "text": str,
            "deadline": {"text": str, "kind": "date"|"window"|"continuous"|"event"|"unknown",
                         "windows": [{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}]},
            "responsible": [str], "expected_result": str|null, "children": [ITEM]}

Everything else on the dataclasses (warnings, source rows, the joined responsible text,
the columns found) is for the application and is not part of that JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .deadlines import ParsedDeadline

# Field names of the plan table columns, in the order of the printed form.
NUMBER = "number"
TEXT = "text"
DEADLINE = "deadline"
RESPONSIBLE = "responsible"
EXPECTED_RESULT = "expected_result"
FIELDS: tuple[str, ...] = (NUMBER, TEXT, DEADLINE, RESPONSIBLE, EXPECTED_RESULT)


# --------------------------------------------------------------------------- raw input


@dataclass
class RawRow:
    """One table row as read from the document.

    ``cells`` holds one string per grid column: a cell merged across columns
    (``gridSpan`` in Word, a merged range in Excel) repeats its text in every column it
    covers, as text extracts of such tables do. ``merged_down`` lists the grid columns
    whose cell continues a vertically merged cell from the row above (their text is
    empty here). ``source_row`` is the 1-based line number (text), table row number
    (.docx, counting every row of the document's tables) or sheet row (.xlsx).
    """

    cells: list[str]
    source_row: int
    merged_down: frozenset[int] = frozenset()


@dataclass
class RawDocument:
    """What a reader extracts: text lines above the table and the table rows.

    ``header_lines`` are the paragraphs (or lines) before the plan table, empty lines kept
    as ``""`` because they separate blocks such as the approval block and the title.
    ``rows`` start with (or contain, for .docx/.xlsx) the table's header row.
    """

    header_lines: list[str]
    rows: list[RawRow]
    source_format: str  # "docx" | "xlsx" | "text"
    layout: str  # "docx-table", "xlsx", "tab-separated", "tab-indented", "pipe", "paragraphs"


# --------------------------------------------------------------------------- parsed plan


@dataclass(frozen=True)
class Approval:
    """The «Утверждаю» block: approver's position, name as written, date if given."""

    position: str
    name: str
    date: date | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "name": self.name,
            "date": self.date.isoformat() if self.date else None,
        }


@dataclass
class PlanItem:
    """A measure (мероприятие).

    ``number`` is as written (``"1.1."``, ``"8"``) or ``None``; ``responsible`` lists the
    parties split from ``responsible_text`` (the cell text, line breaks kept); items with
    sub-numbers (``8.1`` under ``8``) are in ``children``.
    """

    number: str | None
    text: str
    deadline: ParsedDeadline
    responsible: list[str] = field(default_factory=list)
    responsible_text: str = ""
    expected_result: str | None = None
    children: list[PlanItem] = field(default_factory=list)
    source_row: int | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "deadline": self.deadline.to_json_dict(),
            "responsible": list(self.responsible),
            "expected_result": self.expected_result,
            "children": [child.to_json_dict() for child in self.children],
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> PlanItem:
        deadline = data.get("deadline") or {}
        windows = tuple(
            (date.fromisoformat(w["start"]), date.fromisoformat(w["end"]))
            for w in deadline.get("windows", [])
        )
        responsible = list(data.get("responsible") or [])
        return cls(
            number=data.get("number"),
            text=data.get("text") or "",
            deadline=ParsedDeadline(
                deadline.get("text") or "", deadline.get("kind") or "unknown", windows
            ),
            responsible=responsible,
            responsible_text="\n".join(responsible),
            expected_result=data.get("expected_result"),
            children=[cls.from_json_dict(child) for child in data.get("children") or []],
        )


@dataclass
class PlanSection:
    """A section (направление). A plan without section rows has one with number/title None."""

    number: str | None
    title: str | None
    items: list[PlanItem] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "items": [item.to_json_dict() for item in self.items],
        }


@dataclass(frozen=True)
class ParseWarning:
    """Something staff should review in the preview. ``message`` is Russian, complete.

    ``code``: ``mixed_script`` (a word mixing Latin and Cyrillic letters, in ``word``),
    ``deadline_unrecognised`` («срок не распознан»), ``deadline_missing``,
    ``deadline_year_unknown``, ``deadline_outside_period``, ``column_ignored``,
    ``item_without_text``, ``title_missing``, ``period_unknown``.
    ``row`` is the source row (see :class:`RawRow`); ``item_path`` the 0-based position
    ``(section, item, child, …)`` in :attr:`ParsedPlan.sections`; ``field`` the item or plan
    field concerned (``"text"``, ``"deadline"``, ``"responsible"``, ``"expected_result"``,
    ``"title"``, ``"goal"``, ``"tasks"``…).
    """

    code: str
    message: str
    row: int | None = None
    item_path: tuple[int, ...] | None = None
    item_number: str | None = None
    field: str | None = None
    word: str | None = None


@dataclass
class ParsedPlan:
    """A plan read from a document; see the module docstring for its JSON form."""

    title: str
    period_start: date | None = None
    period_end: date | None = None
    approval: Approval | None = None
    basis: str | None = None
    order: str | None = None
    goal: str | None = None
    tasks: list[str] = field(default_factory=list)
    expected_results: list[str] = field(default_factory=list)
    sections: list[PlanSection] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    # Columns the source table has, in the plan's field names (see FIELDS); the printed
    # plan leaves out the others (e.g. no expected result column).
    columns: tuple[str, ...] = ()
    source_format: str = ""
    layout: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "period": {
                "start": self.period_start.isoformat() if self.period_start else None,
                "end": self.period_end.isoformat() if self.period_end else None,
            },
            "approval": self.approval.to_json_dict() if self.approval else None,
            "basis": self.basis,
            "order": self.order,
            "goal": self.goal,
            "tasks": list(self.tasks),
            "expected_results": list(self.expected_results),
            "sections": [section.to_json_dict() for section in self.sections],
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> ParsedPlan:
        """Rebuild a plan from :meth:`to_json_dict` output (e.g. a corrected preview)."""
        period = data.get("period") or {}
        approval = data.get("approval")
        return cls(
            title=data.get("title") or "",
            period_start=date.fromisoformat(period["start"]) if period.get("start") else None,
            period_end=date.fromisoformat(period["end"]) if period.get("end") else None,
            approval=Approval(
                position=approval.get("position") or "",
                name=approval.get("name") or "",
                date=date.fromisoformat(approval["date"]) if approval.get("date") else None,
            )
            if approval
            else None,
            basis=data.get("basis"),
            order=data.get("order"),
            goal=data.get("goal"),
            tasks=list(data.get("tasks") or []),
            expected_results=list(data.get("expected_results") or []),
            sections=[
                PlanSection(
                    number=section.get("number"),
                    title=section.get("title"),
                    items=[PlanItem.from_json_dict(item) for item in section.get("items") or []],
                )
                for section in data.get("sections") or []
            ],
        )

    def iter_items(self) -> Iterator[tuple[tuple[int, ...], PlanItem]]:
        """Every item, children included, with its 0-based path ``(section, item, …)``."""

        def walk(
            path: tuple[int, ...], items: list[PlanItem]
        ) -> Iterator[tuple[tuple[int, ...], PlanItem]]:
            for index, item in enumerate(items):
                item_path = (*path, index)
                yield item_path, item
                yield from walk(item_path, item.children)

        for section_index, section in enumerate(self.sections):
            yield from walk((section_index,), section.items)

    @property
    def item_count(self) -> int:
        """All items, children included."""
        return sum(1 for _ in self.iter_items())

    @property
    def top_level_item_count(self) -> int:
        return sum(len(section.items) for section in self.sections)

"""Template helpers of the plans pages: mixed-script highlighting, badges, labels."""

from __future__ import annotations

import re
from datetime import date

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from plans.models import DeadlineKind, ItemStatus, PartyKind
from plans.parsing import mixed_script_words

register = template.Library()


@register.filter
def mixed_script(value: object) -> SafeString:
    """Escape the text, keep line breaks, and mark words mixing Latin and Cyrillic letters.

    Such words ("неobjективности") come from OCR or a wrong keyboard layout; they look
    right on screen but break search, so staff are shown them for review.
    """
    text = "" if value is None else str(value)
    words = mixed_script_words(text)
    html = escape(text)
    for word in sorted(words, key=len, reverse=True):
        escaped = escape(word)
        html = re.sub(
            rf"(?<![\w>]){re.escape(escaped)}(?!\w)",
            f'<mark class="mixed-script" title="Слово содержит и латинские, и русские буквы">'
            f"{escaped}</mark>",
            html,
        )
    return mark_safe(html.replace("\n", "<br>"))  # noqa: S308  # nosec B308 B703  # why: text escaped above, only our <mark> added


@register.filter
def has_mixed_script(value: object) -> bool:
    return bool(mixed_script_words("" if value is None else str(value)))


STATUS_BADGES = {
    ItemStatus.PLANNED: "text-bg-light border",
    ItemStatus.IN_PROGRESS: "text-bg-info",
    ItemStatus.DONE: "text-bg-success",
    ItemStatus.CANCELLED: "text-bg-secondary",
}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-light")


PARTY_BADGES = {
    PartyKind.ORGANISATION: "text-bg-primary",
    PartyKind.ROLE: "text-bg-info",
    PartyKind.PERSON: "text-bg-warning",
    PartyKind.SCHOOL: "text-bg-success",
    PartyKind.UNKNOWN: "text-bg-light border",
}


@register.filter
def party_badge(kind: str) -> str:
    return PARTY_BADGES.get(kind, "text-bg-light border")


@register.filter
def deadline_kind_label(kind: str) -> str:
    try:
        return DeadlineKind(kind).label
    except ValueError:
        return kind


@register.filter
def iso_date(value: str | date | None) -> str:
    """ "2021-03-20" → "20.03.2021" (for the windows of the preview's dicts)."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day:%d.%m.%Y}"


@register.simple_tag
def window_text(start: str | date, end: str | date) -> str:
    first, last = iso_date(start), iso_date(end)
    return first if first == last else f"{first} – {last}"


@register.filter
def indent(depth: int) -> str:
    return f"padding-left: {0.5 + 1.25 * int(depth or 0):.2f}rem"


@register.simple_tag
def item_status_choices() -> list[tuple[str, str]]:
    return ItemStatus.choices

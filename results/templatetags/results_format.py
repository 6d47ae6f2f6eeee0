"""Number formats of the results pages: decimal comma, a dash for no data."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """12.345 → «12,3», 64 → «64,0» (fixed decimals line up in tables); None → «—»."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(digits)}f}".replace(".", ",")


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def inline_svg(svg: str) -> str:
    """Our own chart markup (vpr_portal.charts escapes every text it draws)."""
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703  # why: vpr_portal.charts output, it escapes every text

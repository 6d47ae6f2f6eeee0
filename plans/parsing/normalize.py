"""Whitespace, markup and script helpers shared by the readers and the plan builder.

Text from Word, Excel and pasted extracts is kept verbatim apart from whitespace:
runs of spaces, tabs and no-break spaces become one space, lines are stripped,
empty lines inside a cell are dropped, and zero-width characters are removed.
"""

from __future__ import annotations

import re

_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_MD_BOLD_RE = re.compile(r"\*\*|__")
_BREAK_TAG_RE = re.compile(r"<\s*br\s*/?\s*>|</\s*p\s*>\s*<\s*p(?:\s[^>]*)?>", re.IGNORECASE)
_SIMPLE_TAG_RE = re.compile(
    r"</?\s*(?:p|b|i|u|s|em|strong|span|div|font|sup|sub)(?:\s[^<>]*)?/?>", re.IGNORECASE
)

# "1", "1.", "1.1.", "8.3", "12)" — an item number standing alone in a cell.
ITEM_NUMBER_RE = re.compile(r"^(\d{1,3}(?:\s?\.\s?\d{1,3})*)\s?[.)]?$")
# A number at the start of a longer text: "1.1. Организация…", "2) Контроль…".
LEADING_NUMBER_RE = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)(?:[.)]\s*|\s+)(?=\S)(.*)$", re.DOTALL)
ROMAN_RE = re.compile(r"^(?=[IVXLC])(X{0,3}(?:IX|IV|V?I{0,3}))\.?$")
# Section rows: "1. Мероприятия по …", "I направление – …", "II. Контроль…", "Раздел 2. …"
SECTION_RE = re.compile(
    r"^(?:(?:раздел|направление|блок)\s+)?"
    r"(?P<number>\d{1,2}|(?=[IVXLC])X{0,3}(?:IX|IV|V?I{0,3}))"
    r"(?:\s*[.):]\s*|\s+(?=\S))(?P<title>[^\d\s].*)$",
    re.IGNORECASE | re.DOTALL,
)

_CYRILLIC_RE = re.compile(r"[А-Яа-яЁё]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_WORD_RE = re.compile(r"[^\W\d_]+")


def clean_line(line: str) -> str:
    """One line with whitespace runs collapsed to a single space and invisible chars removed."""
    return _SPACES_RE.sub(" ", _INVISIBLE_RE.sub("", line)).strip()


def clean_cell(text: str) -> str:
    """A cell's text: every line cleaned, empty lines dropped, lines joined with ``\\n``."""
    lines = (
        clean_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    """All whitespace, line breaks included, collapsed to single spaces."""
    return " ".join(clean_cell(text).split("\n"))


def strip_markup(text: str) -> str:
    """Remove the markup that copy-paste leaves in plain text.

    Markdown bold markers (``**``, ``__``) go; ``<br>`` and ``</p><p>`` become line
    breaks and other simple HTML tags (``<p>``, ``<b>``, ``<span …>`` …) are dropped.
    """
    if "<" in text:
        text = _BREAK_TAG_RE.sub("\n", text)
        text = _SIMPLE_TAG_RE.sub("", text)
    return _MD_BOLD_RE.sub("", text)


def join_continuation(previous: str, addition: str) -> str:
    """Join text cut by a page break to the text it continues.

    A fragment that continues a sentence (the previous text ends with a letter, digit,
    comma, hyphen…) is joined with a space; after a full stop, semicolon or colon the
    fragment starts a new line.
    """
    if not previous:
        return addition
    if not addition:
        return previous
    if previous[-1] in ".;:!?»)" and not starts_lowercase(addition):
        return f"{previous}\n{addition}"
    if previous[-1] in ";:":
        return f"{previous}\n{addition}"
    return f"{previous} {addition}"


def starts_lowercase(text: str) -> bool:
    """True when the text begins like the middle of a sentence.

    That is a lowercase letter, or a dash/comma/closing bracket/list hyphen that does not
    start a sentence of its own.
    """
    stripped = text.lstrip()
    if not stripped:
        return False
    first = stripped[0]
    if first.isalpha():
        return first.islower()
    return first in "-–—,;:)»."


def is_item_number(text: str) -> bool:
    """True for a bare item number such as ``1``, ``1.``, ``8.1``, ``2.3.``, ``5)``."""
    return bool(ITEM_NUMBER_RE.match(text))


def normalise_number(number: str) -> str:
    """``"8.1."`` → ``"8.1"``: the number without spaces and trailing punctuation."""
    return re.sub(r"\s", "", number).rstrip(".)")


def mixed_script_words(text: str) -> list[str]:
    """Words that contain both Latin and Cyrillic letters (``неobjективности``).

    Such words usually come from OCR or from typing with the wrong keyboard layout;
    they break search and must be reviewed by a person.
    """
    found: list[str] = []
    for match in _WORD_RE.finditer(text):
        word = match.group()
        if _CYRILLIC_RE.search(word) and _LATIN_RE.search(word) and word not in found:
            found.append(word)
    return found

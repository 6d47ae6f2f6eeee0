"""Split a «Ответственные» cell into parties.

A cell lists organisations (``ОЦПРМСО``, ``Отдел образования Администрации …``), roles
(``Руководители ОО``, ``муниципальный координатор``) and people (``И.В. Слынько``,
``Безделёва М.А.``). Parties are separated by line breaks, semicolons and commas (outside
brackets and quotes), by a full stop that ends a sentence (``… ВПР. Руководители ОУ``),
and before a capitalised role word run on after another party (``Муниципальный координатор
Школьные координаторы``). Initials stay with their name (``Ю.И. Беляева``, ``И.В.Шадеркова``,
``Безделёва М.А.``) and abbreviations (``зам. дир. ЦРО``) are not sentence ends.
"""

from __future__ import annotations

import re

# Words that start a new party when they appear capitalised in the middle of a cell.
_ROLE_WORDS = (
    "Руководители|Руководитель|Начальник|Начальники|Заведующий|Заведующая|Заведующие|"
    "Заместитель|Заместители|Директор|Директора|Специалист|Специалисты|Методист|Методисты|"
    "Куратор|Кураторы|Школьный|Школьные|Муниципальный|Муниципальные|Инженер|Инженеры|"
    "Системный|Системные|Педагог|Педагоги|Учитель|Учителя|Классный|Классные|Эксперт|"
    "Эксперты|Общественный|Общественные|Председатель|Председатели|Члены|Ответственный|"
    "Ответственные|Администрация|Отдел|Управление|Комитет|Организаторы|Координатор|"
    "Координаторы|Психолог|Психологи|Социальный|Социальные|Медиа"
)
_ROLE_SPLIT_RE = re.compile(rf"(?<=[\w»)\"])\s+(?=(?:{_ROLE_WORDS})(?![\w-]))")
_ABBREVIATIONS = frozenset(
    {"зам", "дир", "нач", "зав", "рук", "спец", "г", "гг", "ул", "им", "т", "д", "др", "пр"}
    | {"каб", "отд", "упр", "м", "мун", "обл", "р-на", "р-н", "н", "с", "п"}
)
_OPENING = '(«"“„['
_CLOSING = ')»"”“]'


def _split_outside_brackets(text: str, separators: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote_open = False
    current: list[str] = []
    for char in text:
        if char == '"':
            quote_open = not quote_open
        elif char in _OPENING:
            depth += 1
        elif char in _CLOSING and depth:
            depth -= 1
        if char in separators and depth == 0 and not quote_open:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _split_sentences(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in re.finditer(r"\.\s+(?=[А-ЯЁA-Z])", text):
        before = text[start : match.start()]
        word = re.search(r"([^\W\d_][\w-]*)$", before)
        if not word:
            continue
        token = word.group(1)
        if len(token) < 2 or token.lower() in _ABBREVIATIONS:
            continue  # an initial ("Ю.И. Беляева") or an abbreviation ("зам. дир. ЦРО")
        if re.search(r"(?:^|[\s.])[А-ЯЁA-Z]\.[А-ЯЁA-Z]?$", before[-4:]):
            continue
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    return parts


def _tidy(part: str) -> str:
    part = part.strip(" \t,;:-–—")
    if part.endswith("."):
        word = re.search(r"([^\W\d_]+)\.$", part)
        if word and len(word.group(1)) >= 2 and word.group(1).lower() not in _ABBREVIATIONS:
            part = part[:-1].rstrip()
    return part


def split_responsible(text: str) -> list[str]:
    """The parties named in a responsible cell, in order, without duplicates."""
    parties: list[str] = []
    for line in text.split("\n"):
        for chunk in _split_outside_brackets(line, ";,"):
            for sentence in _split_sentences(chunk):
                for part in _ROLE_SPLIT_RE.split(sentence):
                    party = _tidy(part)
                    if party and party not in parties:
                        parties.append(party)
    return parties

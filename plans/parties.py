"""Recognising responsible parties by their wording (pure: no database).

Plans name the same parties in many ways: "Руководители ОО", "руководители ОУ",
"директора школ"; "Отдел образования", "УО", "УОГБ"; "Безделёва М.А., зам. дир. ЦРО".
`classify_party` tells what kind of party a piece of text is (a person, a role, an
organisation) and which role it plays, so the portal can route the item to the right
people. The text itself is always kept as written; what is not recognised stays
"unknown" and is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds and roles as stored on plans.models.Responsible (plain strings: no Django here).
PERSON, ROLE, ORGANISATION, SCHOOL, UNKNOWN = "person", "role", "organisation", "school", "unknown"

_UPPER = "А-ЯЁ"
_LOWER = "а-яё"
_SURNAME = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_INITIALS = rf"[{_UPPER}]\.\s?(?:[{_UPPER}]\.)?"
# "И.В. Слынько", "И.В.Шадеркова" or "Безделёва М.А."
_PERSON_BEFORE = re.compile(rf"(?<![{_UPPER}{_LOWER}])({_INITIALS})\s?({_SURNAME})")
_PERSON_AFTER = re.compile(rf"({_SURNAME})\s({_INITIALS})(?![{_LOWER}])")

_SCHOOL_WORDS = r"(?:ОО|ОУ|ОООД|образовательн\w*|общеобразовательн\w*|школ\w*|учреждени\w*)"
_ASSOCIATIONS = (
    r"(?:(?<!\w)(?:ГМО|РМО|ОМО|ММО|ШМО|МО)(?!\w)|методическ\w* объединени\w*|предметн\w* групп\w*)"
)
_DEPARTMENT = (
    r"(?:(?<!\w)(?:УО|УОГБ)(?!\w)|отдел\w* образовани\w*|управлени\w* образовани\w*|"
    r"комитет\w* (?:по )?образовани\w*|департамент\w* образовани\w*)"
)
_CENTRE = r"(?:(?<!\w)(?:ОЦПРМСО|ЦРО|ИМЦ|ЦДО|МКУ)(?!\w)|методическ\w* (?:отдел|центр|служб)\w*|информационно-методическ\w*)"
_REGIONAL = r"(?:(?<!\w)(?:РЦОКО|ЦОКО|ИРО)(?!\w)|институт\w* развития образования)"

# (role, pattern) checked in order on text that names a role (a position, a group of people).
_ROLE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("municipal_coordinator", re.compile(r"муниципальн\w* координатор", re.I)),
    (
        "school_coordinators",
        re.compile(
            rf"школьн\w* координатор|координатор\w* {_SCHOOL_WORDS}|"
            rf"ответственн\w* за (?:проведение|организацию) ВПР|организатор\w* ВПР",
            re.I,
        ),
    ),
    ("subject_associations", re.compile(rf"(?:руковод|куратор)\w*.*{_ASSOCIATIONS}", re.I)),
    (
        "school_heads",
        re.compile(
            rf"(?:руководител|директор|администраци|заместител\w* директоров)\w*\s+{_SCHOOL_WORDS}|"
            r"директор\w* школ|руководител\w* образовательных",
            re.I,
        ),
    ),
    ("observers", re.compile(r"наблюдател", re.I)),
    ("experts", re.compile(r"эксперт", re.I)),
    (
        "department",
        re.compile(
            rf"(?:начальник|специалист|заведующ|сотрудник|руководител)\w*.*{_DEPARTMENT}", re.I
        ),
    ),
    (
        "methodical_centre",
        re.compile(
            rf"(?:методист|инженер|программист|заместител|зам\.|директор)\w*.*{_CENTRE}", re.I
        ),
    ),
    ("teachers", re.compile(r"учител|педагог", re.I)),
]
# Words that make a text a role (a person by position, a group of people).
_ROLE_WORDS = re.compile(
    r"руководител|директор|заведующ|начальник|специалист|координатор|методист|инженер|"
    r"программист|куратор|заместител|зам\.|наблюдател|эксперт|учител|педагог|организатор|"
    r"администратор|психолог|ответственн|сотрудник|медиа",
    re.I,
)
_ORGANISATION_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("regional_centre", re.compile(rf"(?<!\w){_REGIONAL}(?!\w)", re.I)),
    ("department", re.compile(rf"(?<!\w){_DEPARTMENT}(?!\w)", re.I)),
    ("methodical_centre", re.compile(rf"(?<!\w){_CENTRE}(?!\w)", re.I)),
    (
        "schools",
        re.compile(
            r"^(?:ОО|ОУ)$|(?:обще)?образовательн\w* (?:организаци|учреждени)\w*|^школы$", re.I
        ),
    ),
]


@dataclass(frozen=True)
class PartyGuess:
    """What a responsible text looks like: kind, role (may be ""), and a person's name."""

    kind: str
    role: str = ""
    surname: str = ""
    initials: str = ""


def normalise_party_text(text: str) -> str:
    """Lower case, ё→е, quotes and punctuation at the ends dropped, spaces collapsed."""
    text = text.replace("ё", "е").replace("Ё", "Е")
    text = re.sub(r"[«»\"“”„']", "", text)
    text = re.sub(r"№\s*", "№ ", text)
    text = re.sub(r"\s+", " ", text).strip(" .,;:-–—\t")
    return text.lower()


def find_person(text: str) -> tuple[str, str] | None:
    """(surname, initials) of a person named with initials, e.g. "И.В. Слынько"."""
    for pattern, surname_group, initials_group in ((_PERSON_BEFORE, 2, 1), (_PERSON_AFTER, 1, 2)):
        match = pattern.search(text)
        if match:
            initials = match.group(initials_group).replace(" ", "")
            return match.group(surname_group), initials
    return None


def role_of(text: str) -> str:
    for role, pattern in _ROLE_RULES:
        if pattern.search(text):
            return role
    return ""


def organisation_role_of(text: str) -> str:
    for role, pattern in _ORGANISATION_RULES:
        if pattern.search(text.strip()):
            return role
    return ""


def classify_party(text: str) -> PartyGuess:
    """Guess the kind of party a responsible text names.

    A name with initials makes a person (their position, if written, gives the role);
    position and group words make a role; known bodies make an organisation.
    """
    text = text.strip()
    if not text:
        return PartyGuess(UNKNOWN)
    person = find_person(text)
    if person:
        return PartyGuess(PERSON, role_of(text), surname=person[0], initials=person[1])
    if _ROLE_WORDS.search(text):
        return PartyGuess(ROLE, role_of(text) or organisation_role_of(text))
    role = organisation_role_of(text)
    if role:
        return PartyGuess(ORGANISATION, role)
    return PartyGuess(UNKNOWN)

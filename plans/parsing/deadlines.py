"""Deadlines of plan items: keep the text as written and understand it as date windows.

``parse_deadline(text, period_start=…, period_end=…)`` returns a :class:`ParsedDeadline`
with the original text, a kind and a tuple of ``(start, end)`` date windows (both ends
inclusive). Kinds:

``date``
    one or more single days: ``"24.03.2021"``, ``"09.10.19"`` (two-digit years are 20YY),
    ``"24 марта 2021 г."``, ``"до 01.10.2020"`` when the plan period is unknown.
``window``
    periods: ``"Февраль"``, ``"Май 2023г."``, ``"Март - апрель 2020"``, ``"Октябрь – февраль"``
    (crosses the new year), ``"20.03-26.03.2021"``, ``"20-26 марта 2021"``,
    ``"Декабрь 2020 года, сентябрь 2021 года"`` and ``"Март, август 2023"`` (two windows each),
    ``"I квартал 2021"``, ``"II полугодие"``, ``"III четверть"``, ``"весна 2021"``,
    ``"2021 год"``, ``"2020-2021 учебный год"``, ``"до 01.10.2020"`` (see below).
``continuous``
    the whole plan period: ``"В течение года"``, ``"В течение учебного года"``,
    ``"Весь период"``, ``"В течение всего периода"``, ``"Постоянно"``, ``"Ежемесячно"``,
    ``"Ежеквартально"``, ``"Систематически"``, ``"По мере необходимости"``… One window equal
    to the plan period, or no window when the period is unknown. ``"В течение 2023 года"``
    is continuous over that calendar year whatever the plan period.
``event``
    tied to the test schedule: ``"В период проведения"``, ``"По графику проведения ВПР"``,
    ``"В соответствии с графиком проведения ВПР"``, typos such as ``"Про графику ЦОКО"``,
    ``"В дни проведения ВПР"``, ``"По итогам ВПР"``. No windows: the application ties them
    to the VPR dates of the plan's year.
``unknown``
    everything else (shown to staff as «срок не распознан»); no windows.

Years. A month or day written without a year takes the year of the next date in the same
text that has one (``"Март, август 2023"``; in a range the end's year, one less when the
range crosses the new year), then of the previous one. Otherwise it is placed inside the
plan period: for an academic-year plan 2020-09-01..2021-08-31, September–December fall in
2020 and January–August in 2021. Without a period such a deadline keeps its kind but gets
no windows.

``"до DD.MM.YYYY"`` / ``"не позднее …"``: the window runs from the plan's start to that
date (the measure may be done any time before the deadline), so the kind is ``window``;
when the period is unknown or starts after the date, it is the single day (kind ``date``).
The end is always the written date.

``infer_plan_period(title_and_header_text, deadlines)`` guesses the plan period from the
title; its rules are documented on the function.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

DeadlineKind = str  # "date" | "window" | "continuous" | "event" | "unknown"
KINDS: tuple[str, ...] = ("date", "window", "continuous", "event", "unknown")
Window = tuple[date, date]


@dataclass(frozen=True)
class ParsedDeadline:
    """A deadline as written (``text``) and as understood (``kind``, ``windows``)."""

    text: str
    kind: DeadlineKind = "unknown"
    windows: tuple[Window, ...] = ()

    @property
    def is_recognised(self) -> bool:
        """False for kind ``unknown`` with a non-empty text («срок не распознан»)."""
        return self.kind != "unknown" or not self.text.strip()

    def to_json_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "kind": self.kind,
            "windows": [{"start": s.isoformat(), "end": e.isoformat()} for s, e in self.windows],
        }


# --------------------------------------------------------------------------- vocabulary

_MONTH_FORMS: dict[int, str] = {
    1: r"январ[ьяеюё]|янв",
    2: r"феврал[ьяеюё]|февр|фев",
    3: r"март[аеу]?|мар",
    4: r"апрел[ьяеюё]|апр",
    5: r"ма[йяюе]",
    6: r"июн[ьяеюё]?",
    7: r"июл[ьяеюё]?",
    8: r"август[аеу]?|авг",
    9: r"сентябр[ьяеюё]|сент|сен",
    10: r"октябр[ьяеюё]|окт",
    11: r"ноябр[ьяеюё]|нояб|ноя",
    12: r"декабр[ьяеюё]|дек",
}


def _month_pattern(prefix: str) -> str:
    """A month name in any case form or abbreviation; group ``{prefix}m{N}`` names the month."""
    alternatives = "|".join(f"(?P<{prefix}m{n}>{forms})" for n, forms in _MONTH_FORMS.items())
    return rf"(?<![а-яa-z])(?:{alternatives})\.?(?![а-яa-z])"


_TOKEN_RE = re.compile(
    "|".join(
        [
            # 2020-2021 / 2020/21 (an academic year); must precede plain years
            r"(?P<ayear>(?<!\d)(?P<ay1>(?:19|20)\d\d)\s*[-/]\s*(?P<ay2>(?:19|20)?\d\d)(?!\d))",
            # 20.03 / 20.03.2021 / 09.10.19
            r"(?P<numdate>(?<![\d.])(?P<nd>\d{1,2})\.(?P<nm>\d{1,2})(?:\.(?P<ny>\d{4}|\d{2}))?(?![\d]))",
            # quarters (квартал: calendar) and school terms (четверть: academic)
            r"(?P<quarter>(?<![а-яa-z\d])(?P<qn>[1-4]|iv|i{1,3})\s*(?:-?\s*[йяо]й?\s*)?"
            r"(?P<qk>квартал|четверт)[а-я]*)",
            # half years
            r"(?P<half>(?<![а-яa-z\d])(?P<hn>[12]|i{1,2}|перв[а-я]*|втор[а-я]*)\s*(?:-?\s*[ео]е\s*)?"
            r"полугоди[а-я]*)",
            r"(?P<season>(?<![а-я])(?:(?P<spring>весн)[а-я]*|(?P<autumn>осен)[а-я]*|"
            r"(?P<winter>зим)[а-я]*|(?P<summer>лет(?:о|ом|н[а-я]*)))(?![а-я]))",
            # 24 марта / 24-го марта
            rf"(?P<daymonth>(?<![\d.])(?P<dd>\d{{1,2}})(?:\s*-?\s*(?:го|е))?\s*{_month_pattern('d')})",
            rf"(?P<month>{_month_pattern('')})",
            r"(?P<year>(?<![\d.])(?P<y>(?:19|20)\d\d)(?![\d]))",
            r"(?P<day>(?<![\d.])(?P<d>\d{1,2})(?![\d.]))",
            r"(?P<dash>-|(?<![а-я])по(?![а-я]))",
            r"(?P<sep>[,;/+]|(?<![а-я])и(?![а-я])|\n)",
            r"(?P<until>(?<![а-я])(?:до|не\s+позднее|не\s+позже|к)(?![а-я]))",
        ]
    )
)

_CONTINUOUS_YEAR_RE = re.compile(
    r"(?:в\s+течени[еи]|на\s+протяжении|весь|в)\s+(?:всего\s+)?"
    r"(?P<y1>(?:19|20)\d\d)(?:\s*[-/]\s*(?P<y2>(?:19|20)?\d\d))?\s*"
    r"(?:уч(?:ебн[а-я]*)?\.?\s*|календарн[а-я]*\s*)?(?:год[а-я]*|гг?\.?)?(?![а-я])"
)
_CONTINUOUS_RE = re.compile(
    r"в\s+течени[еи]|на\s+протяжении|весь\s+(?:учебный\s+|календарный\s+)?(?:период|год)"
    r"|постоянн|ежемесячн|ежеквартальн|еженедельн|ежедневн|ежегодн|систематическ|регулярн"
    r"|круглогодичн|\d+\s*раз[а]?\s+в\s|(?:один|два|три)\s+раза?\s+в\s|по\s+мере\s+необходимост|по\s+необходимост|кажд(?:ый|ого|ую|ое)\s+"
    r"(?:месяц|квартал|недел|четверт|полугоди)|до\s+конца\s+(?:учебного\s+|календарного\s+)?года"
    r"|в\s+течени[еи]\s+всего"
)
_EVENT_RE = re.compile(
    r"график|расписани|в\s+(?:период|дни|день|ходе|сроки|время)\s+(?:проведени|написани|"
    r"подготовки|процедур|провер|впр|установленн)|в\s+сроки|во\s+время\s+проведени"
    r"|согласно\s+(?:срок|приказ|план|порядк|график)|в\s+соответствии\s+с"
    r"|по\s+(?:срокам|плану|итогам|окончани|результатам)|после\s+(?:проведени|получени|окончани)"
    r"|по\s+(?:графику|расписанию)"
)

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е")
    text = re.sub(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]", "-", text)
    text = text.replace("\u00a0", " ")
    text = re.sub(r"[«»\"“”„']", " ", text)  # «24» марта
    # "2023г.", "2023 г", "2021 года", "2019-2020 гг." -> the bare year
    text = re.sub(
        r"((?:19|20)\d\d)\s*(?:гг?\b\.?|г\.|годах|года|году|годом|год)(?![а-я])", r"\1", text
    )
    return re.sub(r"[ \t]+", " ", text).strip()


# --------------------------------------------------------------------------- points


@dataclass
class _Point:
    """A period named in the text: a day, a month or a span of months within one year."""

    month: int | None  # None only for a bare day ("20" in "20-26 марта")
    day: int | None = None
    end_month: int | None = None  # spans: quarters, halves, seasons
    year: int | None = None

    @property
    def last_month(self) -> int:
        return self.end_month or self.month or 1


@dataclass
class _Range:
    start: _Point
    end: _Point


@dataclass
class _Item:
    value: _Point | _Range
    until: bool = False
    explicit_year: bool = field(default=False)


def _month_from_match(match: re.Match[str], prefix: str = "") -> int | None:
    for number in range(1, 13):
        if match.group(f"{prefix}m{number}"):
            return number
    return None


def _year4(raw: str) -> int:
    value = int(raw)
    return value + 2000 if value < 100 else value


def _point_from_token(kind: str, match: re.Match[str], period: Window | None) -> _Point | None:
    if kind == "numdate":
        day, month = int(match.group("nd")), int(match.group("nm"))
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
            return None  # "31.02": not a date (2000 is a leap year, so 29.02 passes)
        year = _year4(match.group("ny")) if match.group("ny") else None
        return _Point(month=month, day=day, year=year)
    if kind == "daymonth":
        return _Point(month=_month_from_match(match, "d"), day=int(match.group("dd")))
    if kind == "month":
        return _Point(month=_month_from_match(match))
    if kind == "day":
        day = int(match.group("d"))
        return _Point(month=None, day=day) if 1 <= day <= 31 else None
    if kind == "ayear":
        y1, y2 = int(match.group("ay1")), match.group("ay2")
        y2v = _year4(y2) if len(y2) == 2 else int(y2)
        if y2v == y1 + 1:
            return _Point(month=9, end_month=8, year=y1)
        return None
    if kind == "quarter":
        raw = match.group("qn")
        number = _ROMAN.get(raw) or int(raw)
        if match.group("qk").startswith("квартал"):
            return _Point(month=3 * number - 2, end_month=3 * number)
        start, end = {1: (9, 10), 2: (11, 12), 3: (1, 3), 4: (4, 5)}[number]
        return _Point(month=start, end_month=end)
    if kind == "half":
        raw = match.group("hn")
        number = 1 if raw in ("1", "i") or raw.startswith("перв") else 2
        academic = period is not None and period[0].month >= 7
        if academic:
            start, end = (9, 12) if number == 1 else (1, 5)
        else:
            start, end = (1, 6) if number == 1 else (7, 12)
        return _Point(month=start, end_month=end)
    if kind == "season":
        if match.group("spring"):
            return _Point(month=3, end_month=5)
        if match.group("autumn"):
            return _Point(month=9, end_month=11)
        if match.group("winter"):
            return _Point(month=12, end_month=2)
        return _Point(month=6, end_month=8)
    return None


_POINT_KINDS = ("ayear", "numdate", "quarter", "half", "season", "daymonth", "month", "day")


def _tokenise(text: str) -> list[tuple[str, re.Match[str]]]:
    tokens: list[tuple[str, re.Match[str]]] = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        # lastgroup is the innermost named group that matched last; find the outer one
        for name in (*_POINT_KINDS, "year", "dash", "sep", "until"):
            if match.group(name) is not None:
                kind = name
                break
        tokens.append((kind or "", match))
    return tokens


def _collect_items(text: str, period: Window | None) -> list[_Item]:
    tokens = _tokenise(text)
    items: list[_Item] = []
    until = False
    i = 0
    while i < len(tokens):
        kind, match = tokens[i]
        if kind == "until":
            until = True
            i += 1
            continue
        if kind == "sep":
            until = False
            i += 1
            continue
        if kind == "year":
            # a year after a point without one ("Май 2023"), or a lone year
            if items and not items[-1].explicit_year and _attach_year(items[-1], int(match["y"])):
                pass
            i += 1
            continue
        if kind not in _POINT_KINDS:
            i += 1
            continue
        point = _point_from_token(kind, match, period)
        i += 1
        if point is None:
            continue
        explicit = point.year is not None
        if i < len(tokens) and tokens[i][0] == "year" and point.year is None:
            point.year = int(tokens[i][1]["y"])
            explicit = True
            i += 1
        value: _Point | _Range = point
        if i + 1 < len(tokens) and tokens[i][0] == "dash" and tokens[i + 1][0] in _POINT_KINDS:
            end = _point_from_token(tokens[i + 1][0], tokens[i + 1][1], period)
            if end is not None and end.month is not None:
                i += 2
                if i < len(tokens) and tokens[i][0] == "year" and end.year is None:
                    end.year = int(tokens[i][1]["y"])
                    i += 1
                if point.month is None:
                    point.month = end.month
                value = _Range(point, end)
                explicit = explicit or end.year is not None
        if isinstance(value, _Point) and value.month is None:
            continue  # a bare day that is not the start of a range
        items.append(_Item(value, until=until, explicit_year=explicit))
    return items


def _attach_year(item: _Item, year: int) -> bool:
    value = item.value
    if isinstance(value, _Range):
        if value.end.year is None:
            value.end.year = year
            item.explicit_year = True
            return True
        return False
    if value.year is None:
        value.year = year
        item.explicit_year = True
        return True
    return False


def _first_key(value: _Point | _Range) -> tuple[int, int]:
    point = value.start if isinstance(value, _Range) else value
    return (point.month or 1, point.day or 1)


def _last_key(value: _Point | _Range) -> tuple[int, int]:
    point = value.end if isinstance(value, _Range) else value
    return (point.last_month, point.day or 31)


def _year_in_period(month: int, period: Window | None) -> int | None:
    """The calendar year in which ``month`` falls inside the plan period."""
    if period is None:
        return None
    start, end = period
    for year in range(start.year, end.year + 1):
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        if last >= start and first <= end:
            return year
    return start.year if month >= start.month else start.year + 1


def _resolve_years(items: list[_Item], period: Window | None) -> None:
    # 1. ranges: one end's year gives the other's
    for item in items:
        value = item.value
        if isinstance(value, _Range):
            start, end = value.start, value.end
            crosses = (start.month or 1, start.day or 1) > (end.month or 1, end.day or 1)
            if start.year is None and end.year is not None:
                start.year = end.year - 1 if crosses else end.year
            elif end.year is None and start.year is not None:
                end.year = start.year + 1 if crosses else start.year
    # 2. lists: a year written later applies to the earlier items ("Март, август 2023")
    known_after: tuple[int, tuple[int, int]] | None = None
    for item in reversed(items):
        year = _item_year(item.value)
        if year is not None:
            known_after = (year, _first_key(item.value))
        elif known_after is not None:
            year_after, key_after = known_after
            year = year_after - 1 if _last_key(item.value) > key_after else year_after
            _set_year(item.value, year)
            known_after = (year, _first_key(item.value))
    known_before: tuple[int, tuple[int, int]] | None = None
    for item in items:
        year = _item_year(item.value)
        if year is not None:
            known_before = (_item_end_year(item.value), _last_key(item.value))
        elif known_before is not None:
            year_before, key_before = known_before
            year = year_before + 1 if _first_key(item.value) < key_before else year_before
            _set_year(item.value, year)
            known_before = (_item_end_year(item.value), _last_key(item.value))
    # 3. the plan period
    for item in items:
        if _item_year(item.value) is None:
            month = _first_key(item.value)[0]
            year = _year_in_period(month, period)
            if year is not None:
                _set_year(item.value, year)


def _item_year(value: _Point | _Range) -> int | None:
    return value.start.year if isinstance(value, _Range) else value.year


def _item_end_year(value: _Point | _Range) -> int:
    if isinstance(value, _Range):
        return value.end.year or value.start.year or 0
    year = value.year or 0
    return year + 1 if value.end_month and value.end_month < (value.month or 1) else year


def _set_year(value: _Point | _Range, year: int) -> None:
    if isinstance(value, _Range):
        start, end = value.start, value.end
        start.year = year
        crosses = (start.month or 1, start.day or 1) > (end.month or 1, end.day or 1)
        end.year = year + 1 if crosses else year
    else:
        value.year = year


def _point_bounds(point: _Point) -> Window | None:
    if point.year is None or point.month is None:
        return None
    year = point.year
    try:
        if point.day is not None and point.end_month is None:
            day = date(year, point.month, point.day)
            return day, day
        first = date(year, point.month, 1)
        last_month = point.end_month or point.month
        last_year = year + 1 if last_month < point.month else year
        last = date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])
        return first, last
    except ValueError:
        return None


def _windows(items: Sequence[_Item], period: Window | None) -> list[Window]:
    windows: list[Window] = []
    for item in items:
        value = item.value
        if isinstance(value, _Range):
            first = _point_bounds(value.start)
            last = _point_bounds(value.end)
            if first is None or last is None or last[1] < first[0]:
                continue
            window = (first[0], last[1])
        else:
            bounds = _point_bounds(value)
            if bounds is None:
                continue
            window = bounds
            if item.until:
                end = window[1]
                start = period[0] if period is not None and period[0] <= end else window[0]
                window = (start, end)
        if window not in windows:
            windows.append(window)
    return windows


def _continuous_year(text: str) -> Window | None:
    match = _CONTINUOUS_YEAR_RE.search(text)
    if not match:
        return None
    y1 = int(match.group("y1"))
    if match.group("y2"):
        raw = match.group("y2")
        y2 = _year4(raw) if len(raw) == 2 else int(raw)
        calendar_words = re.search(r"календарн|гг|годы", match.group(0))
        if y2 == y1 + 1 and not calendar_words:
            return date(y1, 9, 1), date(y2, 8, 31)
        if y2 >= y1:
            return date(y1, 1, 1), date(y2, 12, 31)
        return None
    return date(y1, 1, 1), date(y1, 12, 31)


def parse_deadline(
    text: str, *, period_start: date | None = None, period_end: date | None = None
) -> ParsedDeadline:
    """Understand a deadline cell. See the module docstring for the forms and rules.

    ``text`` is returned unchanged in the result. ``period_start``/``period_end`` are the
    plan period (both or neither); they place months written without a year and give the
    window of continuous deadlines.
    """
    original = text
    period: Window | None = None
    if period_start is not None and period_end is not None and period_start <= period_end:
        period = (period_start, period_end)
    normalised = _normalise(text or "")
    if not normalised or not re.search(r"[а-яa-z\d]", normalised):
        return ParsedDeadline(original, "unknown", ())

    if re.match(r"^(?:в\s+течени[еи]|на\s+протяжении|весь)\b", normalised):
        continuous = _continuous_year(normalised)
        if continuous is not None:
            return ParsedDeadline(original, "continuous", (continuous,))

    items = _collect_items(normalised, period)
    if not items:
        lone_year = re.fullmatch(r"(?:в\s+|на\s+)?((?:19|20)\d\d)\s*\.?", normalised)
        if lone_year:
            year = int(lone_year.group(1))
            return ParsedDeadline(original, "window", ((date(year, 1, 1), date(year, 12, 31)),))
        if _CONTINUOUS_RE.search(normalised):
            windows = (period,) if period is not None else ()
            return ParsedDeadline(original, "continuous", windows)
        if _EVENT_RE.search(normalised):
            return ParsedDeadline(original, "event", ())
        return ParsedDeadline(original, "unknown", ())

    _resolve_years(items, period)
    windows = _windows(items, period)
    if windows:
        kind = "date" if all(start == end for start, end in windows) else "window"
        return ParsedDeadline(original, kind, tuple(windows))
    if all(_item_year(item.value) is not None for item in items):
        return ParsedDeadline(original, "unknown", ())  # impossible dates such as 29.02.2021
    # understood, but the year is unknown (no year in the text and no plan period)
    single_days = all(
        isinstance(item.value, _Point) and item.value.day is not None and not item.until
        for item in items
    )
    return ParsedDeadline(original, "date" if single_days else "window", ())


# --------------------------------------------------------------------------- plan period

_ACADEMIC_RANGE_RE = re.compile(
    r"(?<!\d)(?P<y1>(?:19|20)\d\d)\s*[-/]\s*(?P<y2>(?:19|20)?\d\d)(?!\d)\s*"
    r"(?P<tail>уч(?:ебн[а-я]*)?\.?|гг?\.?|год[а-я]*)?"
)
_CALENDAR_YEAR_RE = re.compile(
    r"(?:(?<![а-я])(?:в|на|за)\s+(?P<y>(?:19|20)\d\d)\s*(?:году|год|г\.?)(?![а-я]))"
)
_BASED_ON_VPR_RE = re.compile(
    r"(?:на\s+основе|по\s+(?:итогам|результатам))\s+(?:результатов\s+)?впр[\s-]*(?P<y>(?:19|20)\d\d)"
)
_VPR_YEAR_RE = re.compile(r"впр[\s-]*(?:в\s+)?(?P<y>(?:19|20)\d\d)(?!\s*[-/]\s*\d)")


def _period_from_text(text: str) -> Window | None:
    text = text.lower().replace("ё", "е")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    for match in _ACADEMIC_RANGE_RE.finditer(text):
        y1, raw = int(match.group("y1")), match.group("y2")
        y2 = _year4(raw) if len(raw) == 2 else int(raw)
        tail = match.group("tail") or ""
        if y2 == y1 + 1 and not tail.startswith(("г", "год")):
            return date(y1, 9, 1), date(y2, 8, 31)
        if y2 > y1:
            return date(y1, 1, 1), date(y2, 12, 31)
    match = _CALENDAR_YEAR_RE.search(text)
    if match:
        year = int(match.group("y"))
        return date(year, 1, 1), date(year, 12, 31)
    match = _BASED_ON_VPR_RE.search(text)
    if match:
        year = int(match.group("y"))
        return date(year, 9, 1), date(year + 1, 8, 31)
    match = _VPR_YEAR_RE.search(text)
    if match:
        year = int(match.group("y"))
        return date(year - 1, 9, 1), date(year, 8, 31)
    return None


def _period_from_deadlines(deadlines: Iterable[str]) -> Window | None:
    days: list[date] = []
    for text in deadlines:
        normalised = _normalise(text or "")
        items = _collect_items(normalised, None)
        _resolve_years(items, None)
        for start, end in _windows(items, None):
            days.append(start)
            if end != start:
                days.append(end)
    if not days:
        return None
    years = {day.year for day in days}
    if len(years) == 1:
        year = years.pop()
        return date(year, 1, 1), date(year, 12, 31)

    def inside(year: int) -> int:
        return sum(date(year, 9, 1) <= day <= date(year + 1, 8, 31) for day in days)

    best_year = max(range(min(years) - 1, max(years) + 1), key=lambda year: (inside(year), -year))
    return date(best_year, 9, 1), date(best_year + 1, 8, 31)


def infer_plan_period(title_and_header_text: str, deadlines: Sequence[str]) -> Window | None:
    """Guess the plan period ``(start, end)`` or ``None``.

    The first line of ``title_and_header_text`` is taken as the title and searched first;
    then the remaining lines (goal, tasks, basis…); then the deadlines. In each text the
    first rule that matches wins:

    1. a year range: ``"в 2020-2021 учебном году"``, ``"на 2023-2024 учебный год"``,
       ``"ВПР 2023-2024 учебного года"``, ``"2020/21 уч. г."`` → academic year
       2020-09-01..2021-08-31; a range followed by ``"годы"``/``"гг."`` or longer than one
       year (``"на 2021-2023 годы"``) → 2021-01-01..2023-12-31;
    2. a calendar year: ``"в 2021 году"``, ``"на 2023 год"`` → 2021-01-01..2021-12-31;
    3. ``"(на основе ВПР 2019)"``, ``"по итогам ВПР 2019"`` → the academic year that follows
       those results: 2019-09-01..2020-08-31;
    4. ``"ВПР 2020"``, ``"ВПР-2020"`` → the academic year whose spring holds that VPR:
       2019-09-01..2020-08-31;
    5. from dated deadlines: all in one calendar year → that year; otherwise the academic
       year (September–August) holding most of them.
    """
    lines = (title_and_header_text or "").split("\n", 1)
    for chunk in lines:
        period = _period_from_text(chunk)
        if period is not None:
            return period
    return _period_from_deadlines(deadlines)

"""Deadline parsing and plan-period inference (plans.parsing.deadlines). No Django needed."""

from __future__ import annotations

import glob
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.parsing import ParsedDeadline, infer_plan_period, parse_deadline, parse_plan

SEEDS = "/work/shared/seeds"

Y2019 = (date(2019, 9, 1), date(2020, 8, 31))  # seed 001: "(на основе ВПР 2019)"
Y2020 = (date(2020, 9, 1), date(2021, 8, 31))  # seed 000: "в 2020-2021 учебном году"
Y2023 = (date(2023, 9, 1), date(2024, 8, 31))  # seed 003: "ВПР 2023-2024 учебного года"
C2021 = (date(2021, 1, 1), date(2021, 12, 31))  # seed 004: "в 2021 году"
C2023 = (date(2023, 1, 1), date(2023, 12, 31))  # seed 002: "в 2023 году"


def d(text: str) -> date:
    return date.fromisoformat(text)


def w(start: str, end: str | None = None) -> tuple[date, date]:
    return d(start), d(end or start)


def parse(text: str, period: tuple[date, date] | None) -> ParsedDeadline:
    start, end = period if period else (None, None)
    return parse_deadline(text, period_start=start, period_end=end)


# Every distinct deadline of the five seeds, with the period its plan gets.
SEED_DEADLINES = [
    # seed 000
    ("В течение года", Y2020, "continuous", [w("2020-09-01", "2021-08-31")]),
    ("до 01.10.2020", Y2020, "window", [w("2020-09-01", "2020-10-01")]),
    ("В период проведения", Y2020, "event", []),
    (
        "Декабрь 2020 года, сентябрь 2021 года",
        Y2020,
        "window",
        [w("2020-12-01", "2020-12-31"), w("2021-09-01", "2021-09-30")],
    ),
    (
        "Январь 2021 года, Октябрь 2021 года",
        Y2020,
        "window",
        [w("2021-01-01", "2021-01-31"), w("2021-10-01", "2021-10-31")],
    ),
    # seed 001
    ("09.10.19", Y2019, "date", [w("2019-10-09")]),
    ("Март - апрель 2020", Y2019, "window", [w("2020-03-01", "2020-04-30")]),
    ("Февраль", Y2019, "window", [w("2020-02-01", "2020-02-29")]),
    ("Октябрь – февраль", Y2019, "window", [w("2019-10-01", "2020-02-29")]),
    ("Февраль 2020 г.", Y2019, "window", [w("2020-02-01", "2020-02-29")]),
    ("Январь – февраль", Y2019, "window", [w("2020-01-01", "2020-02-29")]),
    ("Февраль – март", Y2019, "window", [w("2020-02-01", "2020-03-31")]),
    ("Постоянно", Y2019, "continuous", [w("2019-09-01", "2020-08-31")]),
    ("Апрель", Y2019, "window", [w("2020-04-01", "2020-04-30")]),
    ("Апрель – май", Y2019, "window", [w("2020-04-01", "2020-05-31")]),
    ("", Y2019, "unknown", []),
    ("Октябрь – ноябрь", Y2019, "window", [w("2019-10-01", "2019-11-30")]),
    # seed 002
    ("Март 2023", C2023, "window", [w("2023-03-01", "2023-03-31")]),
    ("Март-апрель 2023", C2023, "window", [w("2023-03-01", "2023-04-30")]),
    ("Февраль 2023", C2023, "window", [w("2023-02-01", "2023-02-28")]),
    ("Май 2023", C2023, "window", [w("2023-05-01", "2023-05-31")]),
    ("Июнь 2023", C2023, "window", [w("2023-06-01", "2023-06-30")]),
    ("Май-июнь 2023", C2023, "window", [w("2023-05-01", "2023-06-30")]),
    (
        "Март, август 2023",
        C2023,
        "window",
        [w("2023-03-01", "2023-03-31"), w("2023-08-01", "2023-08-31")],
    ),
    ("Февраль - апрель 2023", C2023, "window", [w("2023-02-01", "2023-04-30")]),
    ("Февраль-март 2023", C2023, "window", [w("2023-02-01", "2023-03-31")]),
    ("В течение 2023 года", C2023, "continuous", [w("2023-01-01", "2023-12-31")]),
    # seed 003
    ("Сентябрь 2023г.", Y2023, "window", [w("2023-09-01", "2023-09-30")]),
    ("В соответствии с графиком проведения ВПР.", Y2023, "event", []),
    ("Май 2023г.", Y2023, "window", [w("2023-05-01", "2023-05-31")]),  # as written
    ("В течение учебного года", Y2023, "continuous", [w("2023-09-01", "2024-08-31")]),
    ("По графику проведения ВПР.", Y2023, "event", []),
    ("Май 2024 года", Y2023, "window", [w("2024-05-01", "2024-05-31")]),
    ("Про графику ЦОКО", Y2023, "event", []),
    ("В течение всего периода", Y2023, "continuous", [w("2023-09-01", "2024-08-31")]),
    ("Весь период", Y2023, "continuous", [w("2023-09-01", "2024-08-31")]),
    # seed 004
    ("Февраль - март 2021", C2021, "window", [w("2021-02-01", "2021-03-31")]),
    ("Февраль 2021", C2021, "window", [w("2021-02-01", "2021-02-28")]),
    ("Март - апрель 2021", C2021, "window", [w("2021-03-01", "2021-04-30")]),
    ("24.03.2021", C2021, "date", [w("2021-03-24")]),
    ("20.03-26.03.2021", C2021, "window", [w("2021-03-20", "2021-03-26")]),
    ("В течение учебного года", C2021, "continuous", [w("2021-01-01", "2021-12-31")]),
    ("Весь период", C2021, "continuous", [w("2021-01-01", "2021-12-31")]),
    ("Июнь-июль 2021", C2021, "window", [w("2021-06-01", "2021-07-31")]),
]


@pytest.mark.parametrize(("text", "period", "kind", "windows"), SEED_DEADLINES)
def test_every_seed_deadline_is_understood(text, period, kind, windows):
    parsed = parse(text, period)
    assert parsed.text == text
    assert parsed.kind == kind
    assert list(parsed.windows) == windows


def test_the_table_above_lists_every_deadline_of_the_seeds():
    """If a seed gains a deadline form, this fails until the form is added above."""
    listed = {text for text, *_ in SEED_DEADLINES}
    for path in sorted(glob.glob(f"{SEEDS}/*.txt")):
        with open(path, encoding="utf-8") as handle:
            plan = parse_plan(handle.read())
        for _, item in plan.iter_items():
            assert item.deadline.text in listed, (path, item.deadline.text)


def test_the_seed_deadlines_parse_the_same_inside_the_plan_parser():
    with open(f"{SEEDS}/004_641aee46358eee82.txt", encoding="utf-8") as handle:
        plan = parse_plan(handle.read())
    for _, item in plan.iter_items():
        expected = parse(item.deadline.text, (plan.period_start, plan.period_end))
        assert item.deadline == expected


# --------------------------------------------------------------------------- forms


@pytest.mark.parametrize(
    ("text", "period", "kind", "windows"),
    [
        # the examples of issue 3
        ("Февраль", Y2020, "window", [w("2021-02-01", "2021-02-28")]),
        ("Октябрь – февраль", Y2020, "window", [w("2020-10-01", "2021-02-28")]),
        ("Сентябрь", Y2020, "window", [w("2020-09-01", "2020-09-30")]),
        ("Декабрь", Y2020, "window", [w("2020-12-01", "2020-12-31")]),
        ("Август", Y2020, "window", [w("2021-08-01", "2021-08-31")]),
        # explicit years win over the period
        ("Ноябрь 2020 - февраль 2021", None, "window", [w("2020-11-01", "2021-02-28")]),
        ("Октябрь – февраль 2021", None, "window", [w("2020-10-01", "2021-02-28")]),
        (
            "Декабрь, январь 2021",
            None,
            "window",
            [w("2020-12-01", "2020-12-31"), w("2021-01-01", "2021-01-31")],
        ),
        ("март 2022", Y2020, "window", [w("2022-03-01", "2022-03-31")]),
        # day ranges and dates
        ("20-26 марта 2021", None, "window", [w("2021-03-20", "2021-03-26")]),
        ("с 20 по 26 марта", Y2020, "window", [w("2021-03-20", "2021-03-26")]),
        ("20.03.2021 – 26.03.2021", None, "window", [w("2021-03-20", "2021-03-26")]),
        ("с 28.12.2020 по 10.01.2021", None, "window", [w("2020-12-28", "2021-01-10")]),
        ("24 марта 2021 г.", None, "date", [w("2021-03-24")]),
        ("«24» марта 2021 года", None, "date", [w("2021-03-24")]),
        ("24 марта", Y2020, "date", [w("2021-03-24")]),
        ("15.10, 15.04", Y2020, "date", [w("2020-10-15"), w("2021-04-15")]),
        ("01.09.20", None, "date", [w("2020-09-01")]),
        # "до": from the period start to the date; a single day without a period
        ("до 01.10.2020", None, "date", [w("2020-10-01")]),
        ("не позднее 15.03.2021", Y2020, "window", [w("2020-09-01", "2021-03-15")]),
        ("до 01.08.2020", Y2020, "date", [w("2020-08-01")]),  # before the period starts
        ("до 15 марта", Y2020, "window", [w("2020-09-01", "2021-03-15")]),
        # typos and abbreviations
        ("Май 2023г.", None, "window", [w("2023-05-01", "2023-05-31")]),
        ("сент. 2023", None, "window", [w("2023-09-01", "2023-09-30")]),
        ("В апреле 2021 г.", None, "window", [w("2021-04-01", "2021-04-30")]),
        ("МАРТ–АПРЕЛЬ 2021", None, "window", [w("2021-03-01", "2021-04-30")]),
        ("Июнь-июль\n2021", None, "window", [w("2021-06-01", "2021-07-31")]),
        # terms, quarters, halves, seasons, years
        ("III четверть", Y2020, "window", [w("2021-01-01", "2021-03-31")]),
        ("I четверть", Y2020, "window", [w("2020-09-01", "2020-10-31")]),
        ("I квартал 2021", None, "window", [w("2021-01-01", "2021-03-31")]),
        ("4 квартал", C2021, "window", [w("2021-10-01", "2021-12-31")]),
        ("2 полугодие", Y2020, "window", [w("2021-01-01", "2021-05-31")]),
        ("1 полугодие", C2021, "window", [w("2021-01-01", "2021-06-30")]),
        ("весна 2021", None, "window", [w("2021-03-01", "2021-05-31")]),
        ("2021 год", None, "window", [w("2021-01-01", "2021-12-31")]),
        ("2020-2021 учебный год", None, "window", [w("2020-09-01", "2021-08-31")]),
        # continuous
        ("Ежемесячно", Y2020, "continuous", [w("2020-09-01", "2021-08-31")]),
        ("Ежеквартально", Y2020, "continuous", [w("2020-09-01", "2021-08-31")]),
        ("постоянно", None, "continuous", []),
        ("В течение года", None, "continuous", []),
        ("По мере необходимости", C2021, "continuous", [w("2021-01-01", "2021-12-31")]),
        ("В течение 2020-2021 учебного года", None, "continuous", [w("2020-09-01", "2021-08-31")]),
        # event
        ("По графику проведения ВПР", Y2020, "event", []),
        ("В соответствии с графиком проведения ВПР", Y2020, "event", []),
        ("В дни проведения ВПР", Y2020, "event", []),
        ("Согласно графику ФИС ОКО", Y2020, "event", []),
        ("По итогам ВПР", Y2020, "event", []),
        ("По графику ВПР (апрель)", Y2020, "window", [w("2021-04-01", "2021-04-30")]),
        # unknown
        ("абракадабра", Y2020, "unknown", []),
        ("31.02.2021", None, "unknown", []),
        ("—", Y2020, "unknown", []),
        ("   ", Y2020, "unknown", []),
    ],
)
def test_deadline_forms(text, period, kind, windows):
    parsed = parse(text, period)
    assert parsed.text == text
    assert (parsed.kind, list(parsed.windows)) == (kind, windows)


def test_a_month_without_year_and_without_period_keeps_its_kind_but_has_no_window():
    assert parse("Февраль", None) == ParsedDeadline("Февраль", "window", ())
    assert parse("24.03", None) == ParsedDeadline("24.03", "date", ())


def test_a_plan_period_that_is_not_an_academic_year_places_months_inside_it():
    spring = (date(2021, 1, 1), date(2021, 6, 30))
    assert parse("Ноябрь", spring).windows == (w("2021-11-01", "2021-11-30"),)
    multi_year = (date(2021, 1, 1), date(2023, 12, 31))
    assert parse("Март", multi_year).windows == (w("2021-03-01", "2021-03-31"),)


def test_the_original_text_is_kept_verbatim():
    text = "  Март  -  апрель 2020 г.\n"
    assert parse(text, None).text == text


def test_json_form_of_a_deadline():
    parsed = parse("20.03-26.03.2021", None)
    assert parsed.to_json_dict() == {
        "text": "20.03-26.03.2021",
        "kind": "window",
        "windows": [{"start": "2021-03-20", "end": "2021-03-26"}],
    }


def test_recognised_flag_marks_the_deadlines_shown_as_not_understood():
    assert not parse("абракадабра", None).is_recognised
    assert parse("", None).is_recognised  # nothing to recognise
    assert parse("Весь период", None).is_recognised


@given(st.text(max_size=60))
def test_parse_deadline_never_fails_and_keeps_the_text(text):
    parsed = parse_deadline(text, period_start=Y2020[0], period_end=Y2020[1])
    assert parsed.text == text
    assert parsed.kind in {"date", "window", "continuous", "event", "unknown"}
    for start, end in parsed.windows:
        assert start <= end


@given(
    st.sampled_from(["янв", "февраль", "марта", "апр.", "май", "июнь", "июля", "авг", "сентябрь"]),
    st.sampled_from(["", " 2021", " 2021 г.", " 2021г.", " 2021 года"]),
)
def test_month_spellings_with_and_without_year(month, year):
    parsed = parse(f"{month}{year}", Y2020)
    assert parsed.kind == "window"
    assert len(parsed.windows) == 1
    start, end = parsed.windows[0]
    assert start.day == 1 and start.month == end.month
    assert start.year == 2021 or month in ("сентябрь",)


# --------------------------------------------------------------------------- plan period


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("План мероприятий по обеспечению объективности ВПР в 2020-2021 учебном году", Y2020),
        ("План мероприятий на 2023-2024 учебный год", Y2023),
        ("Дорожная карта … в процедуре ВПР 2023-2024 учебного года", Y2023),
        ("План на 2020/21 уч. год", Y2020),
        ("План мероприятий … в 2021 году", C2021),
        ("План на 2023 год", C2023),
        ("ПЛАН МЕРОПРИЯТИЙ (НА ОСНОВЕ ВПР 2019)", Y2019),
        ("План по итогам ВПР 2019", Y2019),
        ("План подготовки к ВПР 2020", Y2019),
        ("План подготовки к ВПР-2021", Y2020),
        ("Комплекс мер на 2021-2023 годы", (date(2021, 1, 1), date(2023, 12, 31))),
        ("Комплекс мер на 2021–2022 гг.", (date(2021, 1, 1), date(2022, 12, 31))),
    ],
)
def test_plan_period_from_the_title(header, expected):
    assert infer_plan_period(header, []) == expected


def test_the_title_wins_over_the_rest_of_the_header():
    text = "План мероприятий в 2021 году\nОснование: региональный план на 2020-2021 учебный год"
    assert infer_plan_period(text, []) == C2021


def test_plan_period_from_the_header_when_the_title_has_no_year():
    text = "План мероприятий\nЗадачи: обеспечение объективности результатов ВПР 2020"
    assert infer_plan_period(text, []) == Y2019


def test_plan_period_from_the_deadlines():
    assert infer_plan_period("План", ["Март 2021", "до 01.10.2021"]) == C2021
    assert infer_plan_period("План", ["Октябрь 2020", "Март 2021", "Апрель 2021"]) == Y2020
    assert infer_plan_period("План", ["Постоянно", "По графику"]) is None

"""Plain-Russian wording helpers for ``evidence["summary_ru"]``.

The portal shows «признаки», never verdicts: the wording describes counts and what would
be expected, and never says «нарушение».
"""

from __future__ import annotations

from functools import lru_cache


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form for n: 1 участник, 2 участника, 5 участников."""
    n_abs = abs(int(n))
    if n_abs % 10 == 1 and n_abs % 100 != 11:
        return one
    if n_abs % 10 in (2, 3, 4) and n_abs % 100 not in (12, 13, 14):
        return few
    return many


# The same few hundred counts recur across a region's schools, so the phrases are cached.
@lru_cache(maxsize=4096)
def pupils_ru(n: int) -> str:
    """«1 участник», «3 участника», «14 участников»."""
    return f"{int(n)} {plural_ru(n, 'участник', 'участника', 'участников')}"


@lru_cache(maxsize=4096)
def points_ru(n: int) -> str:
    """«1 балл», «2 балла», «10 баллов»."""
    return f"{int(n)} {plural_ru(n, 'балл', 'балла', 'баллов')}"


@lru_cache(maxsize=4096)
def score_range_ru(low: int, high: int) -> str:
    """«10–11 баллов» or «8 баллов» when the range is a single score."""
    if low == high:
        return points_ru(low)
    return f"{int(low)}–{int(high)} {plural_ru(high, 'балл', 'балла', 'баллов')}"


def percent_ru(share: float) -> str:
    """A share as a rounded percentage: 0.783 → «78 %» (NaN → «—»)."""
    if share != share:
        return "—"
    return f"{round(100 * share):d} %"


def about_ru(x: float) -> str:
    """An expected count in words people read aloud: «около 6», «меньше 1»."""
    if x < 0.5:
        return "меньше 1"
    return f"около {round(x):d}"


@lru_cache(maxsize=4096)
def of_pupils_ru(n: int) -> str:
    """Genitive after «из»/«около»: «41 участника», «124 участников»."""
    n_abs = abs(int(n))
    noun = "участника" if n_abs % 10 == 1 and n_abs % 100 != 11 else "участников"
    return f"{int(n)} {noun}"


def classes_ru(n: int) -> str:
    """«1 класс», «4 класса», «5 классов»."""
    return f"{int(n)} {plural_ru(n, 'класс', 'класса', 'классов')}"


def schools_ru(n: int) -> str:
    """«1 школа», «3 школы», «5 школ»."""
    return f"{int(n)} {plural_ru(n, 'школа', 'школы', 'школ')}"


def decimal_ru(x: float, digits: int = 1) -> str:
    """A number with a decimal comma, as Russian texts write it: 0.25 → «0,3»."""
    return f"{x:.{digits}f}".replace(".", ",").replace("-", "−")

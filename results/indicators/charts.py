"""SVG charts of a school's evidence, drawn by the one chart module (vpr_portal.charts)."""

from __future__ import annotations

from typing import Any

from vpr_portal.charts import Cut, Series, grouped_bars, histogram


def bunching_chart(evidence: dict[str, Any]) -> str | None:
    """Sign c: the school's score histogram, the cut scores and the expected counterfactual."""
    counts = evidence.get("histogram")
    if not counts:
        return None
    expected = evidence.get("expected") or []
    cuts = evidence.get("cut_scores") or []
    return histogram(
        bins=list(range(len(counts))),
        series=[Series("ОО: участников", [float(v) for v in counts])],
        cuts=[Cut(c, f"«{mark}» от {c}") for c, mark in zip(cuts, (3, 4, 5), strict=False)],
        overlay=Series("Ожидалось бы при таком уровне", [float(v) for v in expected])
        if expected
        else None,
        title="Первичные баллы: ОО и ожидаемое распределение",
        y_label="участников",
    )


def journal_chart(evidence: dict[str, Any]) -> str | None:
    """Sign b: lowered / confirmed / raised shares against the region."""
    if "share_lowered" not in evidence:
        return None
    keys = ("lowered", "confirmed", "raised")

    def pct(prefix: str) -> list[float | None]:
        values = [evidence.get(f"{prefix}share_{k}") for k in keys]
        return [None if v is None else 100 * float(v) for v in values]

    return grouped_bars(
        categories=["Понизили", "Подтвердили", "Повысили"],
        series=[Series("ОО", pct("")), Series("Регион", pct("region_"))],
        title="Сравнение отметок с отметками по журналу",
        y_label="%",
        y_max=100,
        suffix="%",
    )


def task_profile_chart(evidence: dict[str, Any]) -> str | None:
    """Sign g: success per task against the region, FIOKO's 60 % / 30 % thresholds marked."""
    tasks = evidence.get("tasks")
    if not tasks:
        return None
    levels = evidence.get("levels") or [""] * len(tasks)
    school = [None if v is None else 100 * float(v) for v in evidence.get("school_success", [])]
    region = [None if v is None else 100 * float(v) for v in evidence.get("region_success", [])]
    return grouped_bars(
        categories=[
            f"{t} ({lvl})" if lvl else str(t) for t, lvl in zip(tasks, levels, strict=False)
        ],
        series=[Series("ОО", school), Series("Регион", region)],
        thresholds=[60.0 if lvl == "Б" else 30.0 if lvl else None for lvl in levels],
        threshold_label="порог ФИОКО: 60 % (Б), 30 % (П)",
        title="Выполнение заданий: ОО и регион",
        y_label="%",
        y_max=100,
        suffix="%",
    )


CHARTS = {"c": bunching_chart, "b": journal_chart, "g": task_profile_chart}


def sign_chart(letter: str, evidence: dict[str, Any]) -> str | None:
    builder = CHARTS.get(letter)
    return builder(evidence) if builder else None

"""Charts of the reports: report dictionaries in, SVG strings out (pages and PDFs)."""

from __future__ import annotations

from typing import Any

from vpr_portal import charts
from vpr_portal.charts import Cut, Series

_LEVEL_COLORS = {
    "class": "#6f42c1",
    "school": charts.PALETTE[0],
    "municipality": charts.PALETTE[1],
    "region": charts.PALETTE[2],
}


def _narrow_first(groups: list[dict]) -> list[dict]:
    """The focus group (class, school) first, then the wider ones for comparison."""
    return list(reversed(groups))


def marks_chart(report: dict[str, Any]) -> str:
    groups = _narrow_first(report["groups"])
    return charts.stacked_bars(
        categories=[g["label"] for g in groups],
        segments=[
            Series(f"«{mark}»", [g["shares"][str(mark)] for g in groups]) for mark in (2, 3, 4, 5)
        ],
        title="Доли отметок, %",
    )


def journal_chart(report: dict[str, Any]) -> str:
    groups = _narrow_first(report["groups"])
    return charts.stacked_bars(
        categories=[g["label"] for g in groups],
        segments=[
            Series("Понизили", [g["lowered_pct"] for g in groups], "#0dcaf0"),
            Series("Подтвердили", [g["confirmed_pct"] for g in groups], "#adb5bd"),
            Series("Повысили", [g["raised_pct"] for g in groups], "#fd7e14"),
        ],
        title="Отметка за ВПР и отметка по журналу, % участников с отметкой по журналу",
    )


def histogram_chart(report: dict[str, Any], *, overlay: Series | None = None) -> str:
    groups = _narrow_first(report["groups"])
    cuts = report["cuts"]
    return charts.histogram(
        bins=report["bins"],
        series=[Series(g["label"], g["shares"], _LEVEL_COLORS[g["level"]]) for g in groups],
        cuts=[Cut(cuts[m], f"«{m}»") for m in ("3", "4", "5")],
        overlay=overlay,
        title="Распределение первичных баллов, % участников",
    )


def tasks_chart(report: dict[str, Any]) -> str:
    groups = _narrow_first(report["groups"])
    tasks = report["tasks"]
    return charts.grouped_bars(
        categories=[t["number"] for t in tasks],
        series=[
            Series(g["label"], [t["success"][g["level"]] for t in tasks], _LEVEL_COLORS[g["level"]])
            for g in groups
        ],
        thresholds=[t["threshold"] for t in tasks],
        threshold_label="Порог освоения (Б — 60 %, П — 30 %)",
        title="Выполнение заданий, %",
        y_max=100,
        suffix="",
        width=max(760, 60 * len(tasks) + 80),
    )


def dynamics_charts(report: dict[str, Any]) -> list[str]:
    groups = _narrow_first(report["groups"])
    years = report["years"]
    out = []
    for key, title in (
        ("share_2", "Доля «2», %"),
        ("quality", "Доля «4» и «5», %"),
        ("mean_percent", "Средний первичный балл, % от максимума"),
    ):
        out.append(
            charts.line_chart(
                x_labels=years,
                series=[
                    Series(g["label"], [p[key] for p in g["points"]], _LEVEL_COLORS[g["level"]])
                    for g in groups
                ],
                title=title,
                y_max=100,
                height=260,
            )
        )
    return out


def report_charts(report: dict[str, Any]) -> list[str]:
    kind = report["kind"]
    if kind == "marks":
        return [marks_chart(report)]
    if kind == "journal":
        return [journal_chart(report)]
    if kind == "histogram":
        return [histogram_chart(report)]
    if kind == "tasks":
        return [tasks_chart(report)]
    if kind == "dynamics":
        return dynamics_charts(report)
    return []

"""Server-side SVG charts shared by pages and PDFs.

Pure functions: data in, an ``<svg>`` string out. No JavaScript, so WeasyPrint renders
the same picture in a PDF as the browser shows on the page; fonts fall back to the
bundled DejaVu Sans. Every chart has a <title> and an aria-label for screen readers, and
draws each series in a fixed colour with a legend, so a printed page stays readable in
greyscale (dashes and markers differ too).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "DejaVu Sans, Arial, sans-serif"
#: School, municipality, region, then extra series.
PALETTE = ("#0d6efd", "#fd7e14", "#6c757d", "#6f42c1", "#20c997", "#d63384")
OVERLAY_COLOR = "#dc3545"
CUT_COLOR = "#212529"
THRESHOLD_COLOR = "#198754"
GRID_COLOR = "#dee2e6"
#: Stacked bars of marks 2, 3, 4, 5.
MARK_COLORS = ("#dc3545", "#ffc107", "#0dcaf0", "#198754")
_DASHES = ("", "6 3", "2 3", "8 3 2 3")


@dataclass(frozen=True)
class Series:
    """A named row of values (None = no data), drawn in ``color`` or the palette's next."""

    name: str
    values: Sequence[float | None]
    color: str | None = None


@dataclass(frozen=True)
class Cut:
    """A vertical line at a score: a mark boundary («3» from 10 …)."""

    at: float
    label: str


def number(value: float, digits: int = 1) -> str:
    """Russian number format: decimal comma, no trailing ",0"."""
    text = f"{value:.{digits}f}".replace(".", ",")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text.replace("-", "−")


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _ticks(top: float, count: int = 5) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _svg_open(width: int, height: int, title: str) -> list[str]:
    label = escape(title or "Диаграмма")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}" '
        f'font-family="{FONT}" font-size="12" class="portal-chart">',
        f"<title>{label}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _color(series: Series, index: int) -> str:
    return series.color or PALETTE[index % len(PALETTE)]


def _legend_layout(items: list[tuple[str, str, str]], *, width: float) -> list[tuple[float, int]]:
    """(x offset, row) of each legend item; a new row when the current one is full."""
    positions, cx, row = [], 0.0, 0
    for name, _, _ in items:
        item_width = 7.6 * len(name) + 30
        if cx + item_width > width and cx > 0:
            cx, row = 0.0, row + 1
        positions.append((cx, row))
        cx += item_width
    return positions


def _legend(items: list[tuple[str, str, str]], *, x: float, y: float, width: float) -> list[str]:
    """(name, colour, kind) with kind "bar", "line" or "dash", in rows from ``y`` down."""
    out = []
    for (name, color, kind), (dx, row) in zip(
        items, _legend_layout(items, width=width), strict=True
    ):
        cx, cy = x + dx, y + 18 * row
        if kind == "bar":
            out.append(
                f'<rect x="{cx:.1f}" y="{cy - 9:.1f}" width="14" height="10" fill="{color}"/>'
            )
        else:
            dash = ' stroke-dasharray="6 3"' if kind == "dash" else ""
            out.append(
                f'<line x1="{cx:.1f}" y1="{cy - 4:.1f}" x2="{cx + 14:.1f}" y2="{cy - 4:.1f}" '
                f'stroke="{color}" stroke-width="2.5"{dash}/>'
            )
        out.append(f'<text x="{cx + 19:.1f}" y="{cy:.1f}">{escape(name)}</text>')
    return out


def _legend_rows(items: list[tuple[str, str, str]], width: float) -> int:
    layout = _legend_layout(items, width=width)
    return 1 + max((row for _, row in layout), default=0)


def _assemble(
    body: list[str], legend: list[tuple[str, str, str]], *, width: int, height: int,
    title: str, legend_x: float, legend_width: float,
) -> str:  # fmt: skip
    """The svg element around ``body``, grown downwards to fit the legend's rows."""
    extra = 18 * (_legend_rows(legend, legend_width) - 1) if legend else 0
    total = height + extra
    out = _svg_open(width, total, title) + body
    out += _legend(legend, x=legend_x, y=height - 10, width=legend_width)
    out.append("</svg>")
    return "\n".join(out)


def _y_axis(
    *, left: float, top: float, plot_w: float, plot_h: float, y_max: float, label: str, suffix: str
) -> list[str]:
    out = []
    for tick in _ticks(y_max):
        y = top + plot_h - plot_h * tick / y_max
        out.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" fill="#495057">'
            f"{number(tick)}{suffix}</text>"
        )
    if label:
        out.append(
            f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="#495057" '
            f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{escape(label)}</text>'
        )
    return out


def histogram(
    *,
    bins: Sequence[int | str],
    series: Sequence[Series],
    cuts: Sequence[Cut] = (),
    overlay: Series | None = None,
    title: str = "",
    y_label: str = "% участников",
    width: int = 760,
    height: int = 320,
) -> str:
    """Distribution of primary scores with the mark boundaries drawn.

    The first series is drawn as bars (the school, or the chosen group); the others as
    lines with markers over the bar centres (municipality, region). ``overlay`` is an
    expected or counterfactual distribution (e.g. the reference shape around a cut score),
    drawn dashed in red. A cut at score c is a vertical line at the left edge of bin c.
    """
    left, right, top, bottom = 56, 16, 36 if title else 16, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(bins), 1)
    step = plot_w / n
    values = [
        v for s in [*series, *([overlay] if overlay else [])] for v in s.values if v is not None
    ]
    y_max = _nice_max(max(values, default=0.0))

    out: list[str] = []
    if title:
        out.append(
            f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>'
        )
    out += _y_axis(
        left=left, top=top, plot_w=plot_w, plot_h=plot_h, y_max=y_max, label=y_label, suffix=""
    )

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / y_max

    legend: list[tuple[str, str, str]] = []
    if series:
        bars = series[0]
        color = _color(bars, 0)
        legend.append((bars.name, color, "bar"))
        for i, value in enumerate(bars.values[:n]):
            if value is None or value <= 0:
                continue
            y = y_of(value)
            out.append(
                f'<rect x="{left + i * step + step * 0.1:.1f}" y="{y:.1f}" '
                f'width="{step * 0.8:.1f}" height="{top + plot_h - y:.1f}" fill="{color}" '
                f'fill-opacity="0.85"><title>{escape(str(bins[i]))}: {number(value)}</title></rect>'
            )
    for index, line in enumerate(series[1:], start=1):
        color = _color(line, index)
        legend.append((line.name, color, "line"))
        out += _polyline(
            line.values[:n], color, _DASHES[index % len(_DASHES)], left, step, y_of, markers=True
        )
    if overlay is not None:
        legend.append((overlay.name, overlay.color or OVERLAY_COLOR, "dash"))
        out += _polyline(
            overlay.values[:n],
            overlay.color or OVERLAY_COLOR,
            "6 3",
            left,
            step,
            y_of,
            markers=False,
        )

    for cut in cuts:
        x = left + cut.at * step
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" y2="{top + plot_h:.1f}" '
            f'stroke="{CUT_COLOR}" stroke-width="1.5" stroke-dasharray="4 3" class="cut"/>'
        )
        out.append(
            f'<text x="{x + 3:.1f}" y="{top + 8:.1f}" font-weight="bold" class="cut-label">'
            f"{escape(cut.label)}</text>"
        )

    # x labels: every bin when they fit, else every k-th.
    every = max(1, math.ceil(n * 22 / plot_w))
    for i, label in enumerate(bins):
        if i % every == 0:
            out.append(
                f'<text x="{left + (i + 0.5) * step:.1f}" y="{top + plot_h + 15:.1f}" '
                f'text-anchor="middle" fill="#495057">{escape(str(label))}</text>'
            )
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 32:.1f}" text-anchor="middle" '
        f'fill="#495057">Первичный балл</text>'
    )
    return _assemble(
        out, legend, width=width, height=height, title=title, legend_x=left, legend_width=plot_w
    )


def _polyline(
    values: Sequence[float | None],
    color: str,
    dash: str,
    left: float,
    step: float,
    y_of,
    *,
    markers: bool,
) -> list[str]:
    """A line through the bin centres; a gap where a value is None."""
    out, run = [], []
    runs = []
    for i, value in enumerate(values):
        if value is None:
            if run:
                runs.append(run)
            run = []
            continue
        run.append((left + (i + 0.5) * step, y_of(value)))
    if run:
        runs.append(run)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    for points in runs:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash_attr}/>'
        )
        if markers:
            out += [
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>' for x, y in points
            ]
    return out


def grouped_bars(
    *,
    categories: Sequence[str],
    series: Sequence[Series],
    thresholds: Sequence[float | None] = (),
    threshold_label: str = "",
    title: str = "",
    y_label: str = "",
    y_max: float | None = None,
    suffix: str = "",
    width: int = 760,
    height: int = 320,
) -> str:
    """Bars grouped by category (e.g. per task: school, municipality, region).

    ``thresholds`` has one value per category (None: none) and is drawn as a short green
    line across that category's group, e.g. FIOKO's 60 % for basic and 30 % for advanced
    tasks.
    """
    left, right, top, bottom = 56, 16, 36 if title else 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    n, k = max(len(categories), 1), max(len(series), 1)
    group = plot_w / n
    bar = group * 0.8 / k
    values = [v for s in series for v in s.values if v is not None]
    values += [t for t in thresholds if t is not None]
    top_value = y_max if y_max is not None else _nice_max(max(values, default=0.0))

    out: list[str] = []
    if title:
        out.append(
            f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>'
        )
    out += _y_axis(
        left=left,
        top=top,
        plot_w=plot_w,
        plot_h=plot_h,
        y_max=top_value,
        label=y_label,
        suffix=suffix,
    )

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * min(value, top_value) / top_value

    legend = []
    for j, s in enumerate(series):
        color = _color(s, j)
        legend.append((s.name, color, "bar"))
        for i, value in enumerate(s.values[:n]):
            if value is None:
                continue
            y = y_of(max(value, 0.0))
            x = left + i * group + group * 0.1 + j * bar
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar - 1, 1):.1f}" '
                f'height="{top + plot_h - y:.1f}" fill="{color}">'
                f"<title>{escape(s.name)}, {escape(str(categories[i]))}: {number(value)}{suffix}</title></rect>"
            )
    if any(t is not None for t in thresholds):
        legend.append((threshold_label or "Порог", THRESHOLD_COLOR, "line"))
    for i, threshold in enumerate(thresholds[:n]):
        if threshold is None:
            continue
        y = y_of(threshold)
        x1, x2 = left + i * group + 2, left + (i + 1) * group - 2
        out.append(
            f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" '
            f'stroke="{THRESHOLD_COLOR}" stroke-width="2.5" class="threshold"/>'
        )
    for i, label in enumerate(categories):
        out.append(
            f'<text x="{left + (i + 0.5) * group:.1f}" y="{top + plot_h + 15:.1f}" '
            f'text-anchor="middle" fill="#495057">{escape(str(label))}</text>'
        )
    return _assemble(
        out, legend, width=width, height=height, title=title, legend_x=left, legend_width=plot_w
    )


def stacked_bars(
    *,
    categories: Sequence[str],
    segments: Sequence[Series],
    title: str = "",
    width: int = 760,
    row_height: int = 26,
) -> str:
    """Horizontal 100 % bars, one per category (school, municipality, region), split into
    segments (shares of marks 2, 3, 4, 5). Segment values are percentages."""
    longest = max((len(str(c)) for c in categories), default=0)
    left, right, top = min(360, 16 + 7 * min(longest, 48)), 16, 36 if title else 12
    plot_w = width - left - right
    height = top + len(categories) * (row_height + 8) + 40
    out: list[str] = []
    if title:
        out.append(f'<text x="12" y="20" font-size="14" font-weight="bold">{escape(title)}</text>')
    for i, category in enumerate(categories):
        y = top + i * (row_height + 8)
        out.append(
            f'<text x="{left - 8}" y="{y + row_height / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(_shorten(str(category), 48))}</text>"
        )
        x = float(left)
        for j, segment in enumerate(segments):
            value = segment.values[i] if i < len(segment.values) else None
            if not value or value <= 0:
                continue
            w = plot_w * min(value, 100.0) / 100.0
            color = segment.color or MARK_COLORS[j % len(MARK_COLORS)]
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_height}" fill="{color}">'
                f"<title>{escape(str(category))}, {escape(segment.name)}: {number(value)} %</title></rect>"
            )
            if w >= 34:
                out.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + row_height / 2 + 4:.1f}" '
                    f'text-anchor="middle" fill="#000000">{number(value, 0)}%</text>'
                )
            x += w
    legend = [
        (s.name, s.color or MARK_COLORS[j % len(MARK_COLORS)], "bar")
        for j, s in enumerate(segments)
    ]
    return _assemble(
        out, legend, width=width, height=height, title=title, legend_x=left, legend_width=plot_w
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def line_chart(
    *,
    x_labels: Sequence[str],
    series: Sequence[Series],
    title: str = "",
    y_label: str = "",
    y_max: float | None = None,
    suffix: str = "",
    width: int = 760,
    height: int = 300,
) -> str:
    """Lines over years (dynamics): one per series; the first series' values are labelled
    (labels of several close lines would overprint each other)."""
    left, right, top, bottom = 56, 24, 36 if title else 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(x_labels), 1)
    step = plot_w / n
    values = [v for s in series for v in s.values if v is not None]
    top_value = y_max if y_max is not None else _nice_max(max(values, default=0.0))

    out: list[str] = []
    if title:
        out.append(
            f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>'
        )
    out += _y_axis(
        left=left,
        top=top,
        plot_w=plot_w,
        plot_h=plot_h,
        y_max=top_value,
        label=y_label,
        suffix=suffix,
    )

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * min(max(value, 0.0), top_value) / top_value

    legend = []
    for j, s in enumerate(series):
        color = _color(s, j)
        legend.append((s.name, color, "line"))
        out += _polyline(
            s.values[:n], color, _DASHES[j % len(_DASHES)], left, step, y_of, markers=True
        )
        for i, value in enumerate(s.values[:n] if j == 0 else []):
            if value is not None:
                out.append(
                    f'<text x="{left + (i + 0.5) * step:.1f}" y="{y_of(value) - 7:.1f}" '
                    f'text-anchor="middle" font-size="10" fill="{color}">{number(value)}{suffix}</text>'
                )
    for i, label in enumerate(x_labels):
        out.append(
            f'<text x="{left + (i + 0.5) * step:.1f}" y="{top + plot_h + 15:.1f}" '
            f'text-anchor="middle" fill="#495057">{escape(str(label))}</text>'
        )
    return _assemble(
        out, legend, width=width, height=height, title=title, legend_x=left, legend_width=plot_w
    )

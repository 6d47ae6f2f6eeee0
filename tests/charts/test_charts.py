"""The shared SVG charts: well-formed, honest about their numbers, readable in print."""

import xml.etree.ElementTree as ET

from vpr_portal import charts
from vpr_portal.charts import Cut, Series

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 — our own output, not untrusted input


def bar_heights(root: ET.Element) -> list[float]:
    return [
        float(r.get("height")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None
    ]


def test_histogram_draws_a_bar_per_nonzero_bin_with_heights_in_proportion():
    svg = charts.histogram(bins=range(5), series=[Series("Школа", [10, 20, 0, 40, None])])
    heights = bar_heights(parse(svg))
    assert len(heights) == 3
    assert abs(heights[1] / heights[0] - 2) < 0.01 and abs(heights[2] / heights[0] - 4) < 0.01


def test_histogram_draws_each_cut_score_at_its_bin_with_a_label():
    svg = charts.histogram(
        bins=range(25),
        series=[Series("Школа", [4.0] * 25)],
        cuts=[Cut(10, "«3»"), Cut(16, "«4»"), Cut(21, "«5»")],
    )
    root = parse(svg)
    lines = [line for line in root.iter(f"{SVG}line") if line.get("class") == "cut"]
    xs = [float(line.get("x1")) for line in lines]
    assert len(xs) == 3
    # Equal bins: the distance between cuts is proportional to the score difference.
    assert abs((xs[1] - xs[0]) / (xs[2] - xs[1]) - 6 / 5) < 0.01
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "cut-label"]
    assert labels == ["«3»", "«4»", "«5»"]


def test_histogram_compares_groups_as_lines_and_draws_the_overlay_dashed():
    svg = charts.histogram(
        bins=range(3),
        series=[
            Series("Школа", [1, 2, 3]),
            Series("Муниципалитет", [2, 2, 2]),
            Series("Регион", [3, 2, 1]),
        ],
        overlay=Series("Ожидаемое", [1, 1, None]),
    )
    root = parse(svg)
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 3
    assert polylines[-1].get("stroke-dasharray") == "6 3"
    assert len(polylines[-1].get("points").split()) == 2  # the None is a gap
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert {"Школа", "Муниципалитет", "Регион", "Ожидаемое"} <= set(legend)


def test_names_are_escaped():
    svg = charts.grouped_bars(categories=["1 <b>"], series=[Series('СОШ "№ 1" & <i>', [50])])
    root = parse(svg)  # would raise on unescaped markup
    assert any((t.text or "") == 'СОШ "№ 1" & <i>' for t in root.iter(f"{SVG}text"))


def test_grouped_bars_draw_a_threshold_per_category_only_where_given():
    svg = charts.grouped_bars(
        categories=["1", "2", "3"],
        series=[Series("Школа", [70, 40, 20]), Series("Регион", [65, 45, 25])],
        thresholds=[60, None, 30],
        threshold_label="Порог ФИОКО",
        y_max=100,
        suffix=" %",
    )
    root = parse(svg)
    thresholds = [line for line in root.iter(f"{SVG}line") if line.get("class") == "threshold"]
    assert len(thresholds) == 2
    assert len(bar_heights(root)) == 6
    assert "Порог ФИОКО" in svg


def test_stacked_bars_fill_the_width_in_proportion_to_shares():
    svg = charts.stacked_bars(
        categories=["Школа", "Регион"],
        segments=[
            Series("«2»", [10, 25]),
            Series("«3»", [40, 25]),
            Series("«4»", [30, 25]),
            Series("«5»", [20, 25]),
        ],
    )
    root = parse(svg)
    widths = [
        float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None
    ]
    assert len(widths) == 8
    assert abs(sum(widths[:4]) - sum(widths[4:])) < 0.5
    assert abs(widths[1] / widths[0] - 4) < 0.01


def test_line_chart_labels_points_with_a_decimal_comma():
    svg = charts.line_chart(
        x_labels=["2025", "2026"], series=[Series("Доля «2»", [12.5, None])], suffix=" %"
    )
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "12,5 %" in texts
    assert len(list(root.iter(f"{SVG}circle"))) == 1


def test_empty_data_still_gives_a_valid_chart():
    for svg in (
        charts.histogram(bins=[], series=[]),
        charts.grouped_bars(categories=[], series=[]),
        charts.line_chart(x_labels=[], series=[]),
        charts.stacked_bars(categories=[], segments=[]),
    ):
        root = parse(svg)
        assert root.get("role") == "img"
        assert "nan" not in svg.lower()


def test_charts_are_deterministic_and_titled():
    kwargs = {"bins": range(3), "series": [Series("Школа", [1, 2, 3])], "title": "Гистограмма"}
    assert charts.histogram(**kwargs) == charts.histogram(**kwargs)
    root = parse(charts.histogram(**kwargs))
    assert root.find(f"{SVG}title").text == "Гистограмма"
    assert root.get("aria-label") == "Гистограмма"


def test_number_uses_russian_format():
    assert charts.number(12.0) == "12"
    assert charts.number(12.25, 2) == "12,25"
    assert charts.number(-3.5) == "−3,5"


def test_a_long_legend_wraps_and_the_chart_grows_to_hold_it():
    names = [f"Муниципальное образование с очень длинным названием № {i}" for i in range(4)]
    short = charts.grouped_bars(categories=["1"], series=[Series("A", [1])])
    long = charts.grouped_bars(categories=["1"], series=[Series(n, [1]) for n in names])
    height = float(parse(long).get("height"))
    assert height > float(parse(short).get("height"))
    legend_ys = [float(t.get("y")) for t in parse(long).iter(f"{SVG}text") if t.text in names]
    assert len(set(legend_ys)) > 1 and max(legend_ys) < height


def test_weasyprint_renders_an_inline_chart_into_a_pdf():
    """PDFs reuse the same SVG: WeasyPrint draws inline SVG without any JavaScript."""
    from weasyprint import HTML

    svg = charts.histogram(
        bins=range(11), series=[Series("Школа", [5, 10, 20, 15, 10, 10, 10, 8, 6, 4, 2])],
        cuts=[Cut(4, "«3»"), Cut(6, "«4»"), Cut(8, "«5»")],
    )  # fmt: skip
    plain = HTML(string="<html><body><p>Гистограмма</p></body></html>").write_pdf()
    with_chart = HTML(string=f"<html><body><p>Гистограмма</p>{svg}</body></html>").write_pdf()
    assert with_chart.startswith(b"%PDF")
    assert len(with_chart) > len(plain) + 500  # the chart's paths and texts are in the PDF

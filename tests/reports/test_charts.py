"""Charts: SVG with text kept as text, alternative text, escaped labels, a greyscale-safe palette, embedded as <img>."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest
from markupsafe import Markup
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from reports import charts
from reports.render import SVG_DATA_URI, FetchRefused, TemplateFetcher, environment

SVG = "{http://www.w3.org/2000/svg}"


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_palette_neighbours_stay_apart_in_greyscale_and_series_also_differ_in_hatch() -> None:
    levels = [_luminance(c) for c in charts.PALETTE]
    assert levels == sorted(levels)
    assert all(b - a >= 20 for a, b in zip(levels, levels[1:], strict=False))
    assert len(set(charts.HATCHES)) == len(charts.HATCHES)
    assert len(set(charts.MARKERS)) == len(charts.MARKERS)


def test_stacked_bars_keep_korean_labels_as_text_with_alt_text_as_title() -> None:
    svg = charts.stacked_bars(
        ["제로트러스트", "암호화"], {"생성": [3, 1], "수정": [2, 0]}, title="", alt="기록 종류별 변경 건수"
    ).svg
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "기록 종류별 변경 건수"  # type: ignore[union-attr]
    texts = _texts(svg)
    assert {"제로트러스트", "암호화", "생성", "수정"} <= set(texts)


def test_chart_labels_from_user_text_are_escaped() -> None:
    chart = charts.bar_vs_target(
        ["<script>alert(1)</script>", "b"],
        [1, 2],
        [2, None],
        title="t",
        alt='<img src="x">',
        value_label="actual",
        target_label="target",
    )
    assert "<script>" not in chart.svg and "<img" not in chart.svg
    assert "<script>alert(1)</script>" in _texts(chart.svg)
    # The page's <img> carries the alternative text escaped, and the SVG only as a data: URI.
    element = ET.fromstring(Markup(chart).__html__())
    assert element.get("alt") == '<img src="x">'
    assert element.get("src", "").startswith(SVG_DATA_URI)
    assert base64.b64decode(element.get("src", "")[len(SVG_DATA_URI) :]).decode() == chart.svg


def test_charts_carry_no_css_that_could_leak_into_the_page() -> None:
    svg = charts.line_over_time(
        [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
        {"계획": [1, 2, 3], "실적": [1, 1.5, None]},
        title="진척",
        alt="계획 대비 실적",
        dashed=["계획"],
    ).svg
    assert "style=" not in svg and "<style" not in svg
    assert {"계획", "실적", "진척"} <= set(_texts(svg))


def test_heatmap_labels_each_cell_with_its_level_and_target() -> None:
    svg = charts.heatmap(
        ["Identity", "Devices"],
        ["2026", "2027"],
        [[0, 1], [2, None]],
        level_names=["전통", "초기", "고급", "최적"],
        targets=[[1, 1], [3, None]],
        title="",
        alt="제로트러스트 성숙도",
    ).svg
    texts = _texts(svg)
    assert "전통 → 초기" in texts and "초기" in texts and "고급 → 최적" in texts


def test_the_same_data_gives_byte_identical_svg() -> None:
    def make() -> str:
        return charts.stacked_bars(["a"], {"x": [1]}, title="t", alt="a").svg

    assert make() == make()


def test_in_a_template_a_chart_is_an_img_the_fetcher_decodes_without_fetching() -> None:
    chart = charts.stacked_bars(["a"], {"x": [1]}, title="t", alt="변경 건수")
    html = environment().from_string("{{ chart }}").render(chart=chart)
    assert html.count("<img") == 1 and "<svg" not in html
    fetcher = TemplateFetcher()
    response = fetcher.fetch(str(ET.fromstring(html).get("src")))
    assert response.read() == chart.svg.encode()
    assert fetcher.fetched == [] and fetcher.refused == []


def test_a_malformed_chart_uri_is_refused() -> None:
    fetcher = TemplateFetcher()
    with pytest.raises(FetchRefused, match="malformed"):
        fetcher.fetch(SVG_DATA_URI + "not base64!")
    assert fetcher.refused


def _text_boxes(svg: str) -> tuple[float, float, list[tuple[str, bool, float, float, float, float]]]:
    """The SVG's size and, per <text>, (text, in the legend, left, top, right, bottom) in points, each text's width
    measured afresh with the chart font's metrics (FreeType, not the figure's layout)."""
    measure = TextToPath()
    root = ET.fromstring(svg)
    width, height = (float(root.get(a, "0").removesuffix("pt")) for a in ("width", "height"))
    boxes = []

    def walk(node: ET.Element, in_legend: bool) -> None:
        in_legend = in_legend or node.get("id", "").startswith("legend")
        if node.tag == f"{SVG}text":
            text = "".join(node.itertext())
            size = float(node.get("font-size", "0").removesuffix("px"))
            family = [f.strip(" '") for f in node.get("font-family", "").split(",")]
            extent = measure.get_text_width_height_descent(text, FontProperties(family=family, size=size), False)[0]
            x, y = float(node.get("x", "0")), float(node.get("y", "0"))
            anchor = node.get("text-anchor", "start")
            shift = {"start": 0.0, "middle": extent / 2, "end": extent}[anchor]
            if "rotate(-90" in node.get("transform", ""):  # reads bottom to top, centred on (x, y)
                boxes.append((text, in_legend, x - size, y - extent + shift, x, y + shift))
            else:
                boxes.append((text, in_legend, x - shift, y - size, x - shift + extent, y))
        for child in node:
            walk(child, in_legend)

    walk(root, False)
    return width, height, boxes


LONG = ["보안 거버넌스 및 규제 대응", "통합 보안관제 고도화", "노후 장비 교체"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.stacked_bars(
            LONG,
            {"집행액": [400, 300, 200], "잔여 예산": [2100, 1200, 2600], "예비비": [1, 2, 3]},
            title="",
            alt="a",
            unit="억 원",
        ),
        lambda: charts.bar_vs_target(
            LONG,
            [10, 2000000, 30],
            [20, 1000000, None],
            title="지표",
            alt="a",
            value_label="측정값",
            target_label="목표",
            unit="%",
        ),
        lambda: charts.line_over_time(
            [date(2026, m, 1) for m in range(1, 13)],
            {
                "계획 잔여": [1000 - 50 * m for m in range(12)],
                "실적 잔여": [1000 - 40 * m for m in range(12)],
                "예측": [None] * 6 + [700 - 60 * m for m in range(6)],
                "목표": [500] * 12,
            },
            title="잔여 장비 추이",
            alt="a",
            unit="대",
            dashed=["계획 잔여", "예측"],
        ),
        lambda: charts.heatmap(
            LONG,
            ["Identity", "Devices and endpoints", "Networks"],
            [[0, 1, 2], [1, 2, 3], [3, None, 0]],
            level_names=["전통", "초기", "고급", "최적"],
            title="성숙도",
            alt="a",
            rotate_columns=30,
        ),
    ],
    ids=["stacked_bars", "bar_vs_target", "line_over_time", "heatmap"],
)
def test_every_label_and_the_legend_fit_inside_the_chart_and_the_legend_sits_below_the_axes(make: Any) -> None:
    # Charts are laid out by one measuring pass (`charts._fit`), not constrained layout: long Korean labels, a
    # seven-digit tick and a four-entry legend must still land inside the figure, the legend under everything.
    width, height, boxes = _text_boxes(make().svg)
    tolerance = 1.5
    for text, _legend, left, top, right, bottom in boxes:
        assert -tolerance <= left and right <= width + tolerance, (text, left, right, width)
        assert -tolerance <= top and bottom <= height + tolerance, (text, top, bottom, height)
    legend = [b for b in boxes if b[1]]
    others = [b for b in boxes if not b[1]]
    if legend:
        assert min(b[3] for b in legend) >= max(b[5] for b in others) - tolerance

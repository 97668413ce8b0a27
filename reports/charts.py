"""Charts for the reports: matplotlib to SVG, Hangul-capable, one palette that survives greyscale printing.

Text stays text in the SVG (`svg.fonttype = none`), so WeasyPrint draws it with the same Nanum font as the page and
it stays searchable in the PDF. Series differ in lightness *and* in hatch or marker, so a board member's black-and-
white printout still tells them apart. Every chart carries its alternative text (the SVG's <title> and the <img>'s
alt, which PDF/UA tagging reads). Labels may be user text: matplotlib's SVG writer escapes it.

A chart goes into the page as an <img> holding the SVG document as a data: URI, not as inline <svg>: inline, every
SVG element passes through the pure-Python HTML tokenizer and the page's CSS cascade; as an image WeasyPrint parses
it with ElementTree and draws the same vectors and text at about half the cost (the board pack's four charts: 0.49 s
to 0.2 s of CPU). `reports.render.TemplateFetcher` decodes these data: URIs in memory; nothing is fetched.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import matplotlib
from markupsafe import escape
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.ticker import MaxNLocator

from reports.fonts import HANGUL_FONT_FAMILIES
from reports.render import SVG_DATA_URI

# Dark to light: neighbours differ by at least ~20 points of luminance (see tests), so they stay apart in greyscale.
PALETTE = ("#1b365d", "#3f6e9e", "#7fa6cc", "#c3d6ea", "#e9f0f8")
# Attention colour (late, failed, below target): red, but also always paired with a hatch or a label.
ALERT = "#b03a2e"
INK = "#222222"
GRID = "#d5d9de"
HATCHES = ("", "///", "\\\\\\", "xxx", "---")
MARKERS = ("o", "s", "^", "D", "v")
# Lines: dark, light, black, mid; with MARKERS and dashes they differ in three ways.
LINE_COLOURS = (PALETTE[0], PALETTE[2], INK, PALETTE[1])

_WIDTH_IN = 6.3  # fits A4 text width with the print.css margins
_CLEAN = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>\s*", re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')


@lru_cache(maxsize=1)
def _configure() -> None:
    # The Nanum fonts ship regular and bold only; matplotlib's metric lookup says so at WARNING for every chart.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",
            # Fixed salt: the same data gives byte-identical SVG ids, so reports are reproducible.
            "svg.hashsalt": "sectrack",
            "font.family": [*HANGUL_FONT_FAMILIES, "DejaVu Sans"],
            "font.size": 8.5,
            "axes.unicode_minus": False,  # Nanum fonts have no U+2212
            "axes.edgecolor": INK,
            "axes.labelcolor": INK,
            "axes.titlesize": 9.5,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.color": INK,
            "ytick.color": INK,
            "legend.frameon": False,
            "hatch.linewidth": 0.6,
            "hatch.color": INK,
        }
    )


def _figure(height_in: float) -> Figure:
    _configure()
    return Figure(figsize=(_WIDTH_IN, height_in))


# Space kept between the axes' decorations, the legend and the figure's edges (points).
_PAD_PT = 4.0


def _fit(figure: Figure, axes: Axes, legend: Legend | None = None) -> None:
    """Size the axes so that their labels, title and the legend below them fit the figure, in one measuring pass.

    Constrained layout does the same but measures every label twice before the final drawing (about half of a
    chart's time); the decorations around one axes rarely change size when it is resized, and `_PAD_PT` absorbs it
    when they do (a y tick label one digit longer).
    """
    renderer = FigureCanvasAgg(figure).get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    pad = _PAD_PT * figure.dpi / 72
    legend_height = legend.get_window_extent(renderer).height + pad if legend is not None else 0.0
    inner = axes.get_window_extent(renderer)
    outer = axes.get_tightbbox(renderer)
    if outer is None:  # nothing drawn around the axes
        outer = inner
    left = (inner.x0 - outer.x0 + pad) / width
    right = 1 - (outer.x1 - inner.x1 + pad) / width
    bottom = (inner.y0 - outer.y0 + legend_height + pad) / height
    top = 1 - (outer.y1 - inner.y1 + pad) / height
    axes.set_position((left, bottom, max(right - left, 0.05), max(top - bottom, 0.05)))
    if legend is not None:
        legend.set_bbox_to_anchor((0.5, pad / height), transform=figure.transFigure)


def _legend(figure: Figure, ncols: int) -> Legend:
    """The figure's legend, centred below the axes (`_fit` makes room for it)."""
    return figure.legend(loc="lower center", fontsize=7.5, ncols=max(ncols, 1))


def _title(axes: Axes, title: str) -> None:
    # Charts under a heading that already names them pass an empty title.
    if title:
        axes.set_title(title, loc="left")


def _attributes(match: re.Match[str]) -> str:
    """style="fill: #fff; stroke: none" as presentation attributes fill="#fff" stroke="none"."""
    pairs = (item.split(":", 1) for item in match.group(1).split(";") if ":" in item)
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in pairs)


@dataclass(frozen=True)
class Chart:
    """A chart: a standalone SVG document and its alternative text; in a template, an <img> embedding the SVG."""

    svg: str
    alt: str

    def __html__(self) -> str:
        """The <img> element Jinja2 inserts (autoescaping leaves objects with __html__ as they are)."""
        data = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return f'<img class="chart" alt="{escape(self.alt)}" src="{SVG_DATA_URI}{data}"/>'

    def __str__(self) -> str:
        return self.__html__()


def _svg(figure: Figure, alt: str) -> Chart:
    """The figure as a standalone SVG document with its alternative text as <title>.

    matplotlib's style attributes and <style> element become SVG presentation attributes: they mean the same to the
    SVG renderer, which then has no CSS to parse.
    """
    FigureCanvasSVG(figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = _CLEAN.sub("", buffer.getvalue(), count=1)
    text = _STYLE_ELEMENT.sub("", _METADATA.sub("", text, count=1), count=1)
    text = _STYLE_ATTRIBUTE.sub(_attributes, text)
    head_end = text.index(">") + 1
    title = f"<title>{escape(alt)}</title>"
    opening = text[:head_end].replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    return Chart(svg=opening + title + text[head_end:], alt=alt)


def bar_vs_target(
    labels: Sequence[str],
    values: Sequence[float],
    targets: Sequence[float | None],
    *,
    title: str,
    alt: str,
    value_label: str,
    target_label: str,
    unit: str = "",
) -> Chart:
    """Horizontal bars (actual) with a target tick per bar; bars short of their target are drawn in ALERT."""
    figure = _figure(0.45 + 0.32 * max(len(labels), 1))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    colours = [
        ALERT if target is not None and value < target else PALETTE[1]
        for value, target in zip(values, targets, strict=True)
    ]
    hatches = ["///" if c == ALERT else "" for c in colours]
    bars = axes.barh(positions, values, color=colours, edgecolor=INK, linewidth=0.5, label=value_label)
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    target_points = [(t, p) for t, p in zip(targets, positions, strict=True) if t is not None]
    if target_points:
        axes.scatter(
            [t for t, _ in target_points],
            [p for _, p in target_points],
            marker="|",
            s=220,
            linewidths=2,
            color=INK,
            label=target_label,
            zorder=3,
        )
    axes.set_yticks(positions, labels)
    _title(axes, title)
    if unit:
        axes.set_xlabel(unit)
    axes.grid(axis="x", color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    _fit(figure, axes, _legend(figure, 2))
    return _svg(figure, alt)


def line_over_time(
    dates: Sequence[date],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    alt: str,
    unit: str = "",
    dashed: Sequence[str] = (),
    height_in: float = 2.4,
) -> Chart:
    """Lines over time (e.g. planned vs actual); series named in `dashed` are drawn dashed (plans, forecasts)."""
    figure = _figure(height_in)
    axes = figure.add_subplot()
    for index, (name, points) in enumerate(series.items()):
        kept = [(d, v) for d, v in zip(dates, points, strict=True) if v is not None]
        if not kept:
            continue
        axes.plot(
            mdates.date2num([d for d, _ in kept]),
            [v for _, v in kept],
            label=name,
            color=LINE_COLOURS[index % len(LINE_COLOURS)],
            linestyle="--" if name in dashed else "-",
            marker=MARKERS[index % len(MARKERS)],
            # About a dozen markers per line: enough to tell lines apart in greyscale, few enough SVG elements
            # that a five-year monthly series does not slow the PDF down.
            markevery=max(1, len(kept) // 12),
            markersize=3.5,
            linewidth=1.4,
        )
    _title(axes, title)
    if unit:
        axes.set_ylabel(unit)
    axes.grid(axis="y", color=GRID, linewidth=0.5)
    legend = _legend(figure, min(len(series), 4))
    axes.xaxis_date()
    _fit(figure, axes, legend)
    return _svg(figure, alt)


def stacked_bars(
    categories: Sequence[str],
    stacks: Mapping[str, Sequence[int | float]],
    *,
    title: str,
    alt: str,
    unit: str = "",
    integer: bool = True,
) -> Chart:
    """Horizontal stacked bars: one bar per category, one segment per stack (lightness and hatch per stack)."""
    figure = _figure(0.7 + 0.3 * max(len(categories), 1))
    axes = figure.add_subplot()
    positions = list(range(len(categories)))[::-1]
    left = [0.0] * len(categories)
    for index, (name, values) in enumerate(stacks.items()):
        axes.barh(
            positions,
            values,
            left=left,
            label=name,
            color=PALETTE[index % len(PALETTE)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor=INK,
            linewidth=0.5,
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(positions, categories)
    _title(axes, title)
    if unit:
        axes.set_xlabel(unit)
    if integer:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="x", color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    _fit(figure, axes, _legend(figure, min(len(stacks), 5)))
    return _svg(figure, alt)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    levels: Sequence[Sequence[int | None]],
    *,
    level_names: Sequence[str],
    title: str,
    alt: str,
    targets: Sequence[Sequence[int | None]] | None = None,
    rotate_columns: float = 0,
) -> Chart:
    """A grid of stage levels (0 = lowest); each cell is shaded by level and labelled, with '→ target' if given."""
    figure = _figure(0.8 + 0.38 * max(len(rows), 1))
    axes = figure.add_subplot()
    shades = PALETTE[::-1][: len(level_names)]
    for r, row in enumerate(levels):
        for c, level in enumerate(row):
            y = len(rows) - 1 - r
            colour = "#ffffff" if level is None else shades[min(level, len(shades) - 1)]
            axes.add_patch(
                matplotlib.patches.Rectangle((c, y), 1, 1, facecolor=colour, edgecolor="#ffffff", linewidth=1.5)
            )
            if level is None:
                continue
            text = level_names[level]
            target = targets[r][c] if targets is not None else None
            if target is not None and target != level:
                text = f"{text} → {level_names[target]}"
            dark = level >= len(shades) - 2
            axes.text(c + 0.5, y + 0.5, text, ha="center", va="center", fontsize=7, color="#ffffff" if dark else INK)
    axes.set_xlim(0, len(columns))
    axes.set_ylim(0, len(rows))
    axes.set_xticks(
        [c + 0.5 for c in range(len(columns))],
        columns,
        rotation=rotate_columns,
        ha="right" if rotate_columns else "center",
        rotation_mode="anchor",
    )
    axes.set_yticks([len(rows) - 0.5 - r for r in range(len(rows))], rows)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    _title(axes, title)
    _fit(figure, axes)
    return _svg(figure, alt)

"""The house style of the charts, and the charts of the pages (matplotlib, Agg, no pyplot).

Charts are sized for paper: the text width of an A4 page (16 cm), text of at least 9 pt, 150 dpi.
Labels are in the page's language and numbers are written the Vietnamese way (`1.287`, `99,88%`,
`triệu đồng`) by tick formatters built on `giaoban.domain.numbers`. Figures are `matplotlib.figure.Figure`
objects drawn on the Agg canvas, never through pyplot, so nothing depends on a GUI or on pyplot's
global state, and an analyst can still change a title (`fig.axes[0].set_title(...)`) before showing
it. Images are reproducible: a fixed font (matplotlib's bundled DejaVu Sans, which has every
Vietnamese letter), a fixed `svg.hashsalt`, and no date or software version in PNG or SVG metadata.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence
import base64
import functools

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from giaoban.briefing import i18n
from giaoban.domain.numbers import format_number, format_percent
from giaoban.briefing.values import format_amount
from giaoban.domain.periods import Period

__all__ = [
    "A4_TEXT_WIDTH_IN",
    "DPI",
    "MIN_FONT_PT",
    "COLORS",
    "SERIES_COLORS",
    "STYLE",
    "styled",
    "use_house_style",
    "new_figure",
    "money_scale",
    "number_formatter",
    "to_png",
    "to_svg",
    "Bar",
    "Panel",
    "bar_panels",
    "TrendPoint",
    "TrendPanel",
    "trend_panels",
    "Figures",
    "MAX_PANELS",
    "rank_chart",
    "wrap",
    "PeriodBar",
    "IndicatorPeriods",
    "periods_chart",
    "Strip",
    "strip_chart",
    "Chart",
]

#: Width of the text block of an A4 page with 2.5 cm margins, in inches (16 cm).
A4_TEXT_WIDTH_IN = 16 / 2.54
DPI = 150
MIN_FONT_PT = 9
#: Characters per line of a chart title (11 pt bold across the A4 text width).
TITLE_CHARS = 62

COLORS = {
    "ink": "#222222",
    "muted": "#5f6b73",
    "grid": "#d9dee2",
    "accent": "#1b5e7a",
    "highlight": "#c2571a",
    "no_data": "#e6e6e6",
    "edge": "#ffffff",
}
#: Colours of the compared periods, in the order of `giaoban.briefing.comparisons.ROLES`.
SERIES_COLORS = ("#1b5e7a", "#6f9fb8", "#b9cfdc", "#8c6d31", "#c2571a")

STYLE: dict[Any, Any] = {  # rcParams names (matplotlib types them as Literals)
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.labelcolor": COLORS["ink"],
    "axes.edgecolor": COLORS["muted"],
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "grid.color": COLORS["grid"],
    "grid.linewidth": 0.6,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "xtick.color": COLORS["ink"],
    "ytick.color": COLORS["ink"],
    "legend.fontsize": 9,
    "legend.frameon": False,
    "text.color": COLORS["ink"],
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "giaoban",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "hatch.linewidth": 0.6,
    "hatch.color": "white",
}


def styled(function: Any) -> Any:
    """Decorate a chart function so that it draws inside `STYLE`, whatever the global rcParams."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper


def use_house_style() -> None:
    """Apply `STYLE` to matplotlib's rcParams and, inside IPython, show `Figure`s as PNG made by
    `to_png` (so a notebook cell ending in a chart shows it at 150 dpi). Refuses nothing."""
    matplotlib.rcParams.update(STYLE)
    try:
        from IPython import get_ipython  # imported when needed: only in a notebook does a chart show itself
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, to_png)


def new_figure(height_in: float, width_in: float = A4_TEXT_WIDTH_IN, **kwargs: Any) -> Figure:
    """Return an empty Figure on the Agg canvas, in the house style, `width_in` × `height_in` inches
    at `DPI`, with constrained layout. Refuses (ValueError) a size that is not positive."""
    if height_in <= 0 or width_in <= 0:
        raise ValueError("a figure needs a positive width and height")
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout=kwargs.pop("layout", "constrained"), **kwargs)
    FigureCanvasAgg(fig)
    return fig


def money_scale(largest: float, lang: str = "vi") -> tuple[float, str]:
    """Return (divisor, unit label) for an axis of đồng whose largest value is `largest`:
    (1e9, "tỷ đồng") from one billion, (1e6, "triệu đồng") from one million, else (1, "đồng");
    English: "billion VND", "million VND", "VND"."""
    for size, vi, en in ((1e9, "tỷ đồng", "billion VND"), (1e6, "triệu đồng", "million VND")):
        if abs(largest) >= size:
            return size, i18n.pick(lang, vi, en)
    return 1.0, i18n.pick(lang, "đồng", "VND")


def number_formatter(value_type: str = "count", lang: str = "vi", divisor: float = 1.0) -> FuncFormatter:
    """Return a tick formatter writing `value / divisor` the Vietnamese way (`1.287`, `2,5`) or as a
    percentage (`46%`) for `value_type` "percent"; at most 3 decimals, no `-0`."""
    i18n.check_lang(lang)
    written: dict[float, str] = {}  # every layout and draw pass writes the same ticks again

    def fmt(x: float, _pos: Any = None) -> str:
        v = round(float(x) / divisor, 3)  # numpy floats repr as np.float64(…): use Python floats
        v = 0.0 if v == 0 else v
        text = written.get(v)
        if text is None:
            number: int | float = int(v) if float(v).is_integer() else v
            text = format_percent(number, lang=lang) if value_type == "percent" else format_number(number, lang=lang)
            written[v] = text
        return text

    return FuncFormatter(fmt)


def to_png(fig: Figure) -> bytes:
    """Return the figure as PNG bytes at its own dpi, without metadata that changes between runs."""
    buf = io.BytesIO()
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    with matplotlib.rc_context(STYLE), _laid_out(fig):
        fig.savefig(buf, format="png", dpi=fig.dpi, metadata={"Software": None})
    return buf.getvalue()


@contextlib.contextmanager
def _laid_out(fig: Figure) -> Iterator[None]:
    """Run the figure's layout engine once, then hide it while saving, and give it back.

    `savefig` with a layout engine draws the whole figure twice: once (rendering disabled) only to run
    the layout, then for real. Running the engine directly gives the same positions (it measures text
    with the same Agg renderer at the figure's dpi) for the cost of the layout alone.
    """
    engine = fig.get_layout_engine()
    if engine is None or not isinstance(engine, (ConstrainedLayoutEngine, TightLayoutEngine)):
        yield
        return
    engine.execute(fig)
    fig.set_layout_engine(None)
    try:
        yield
    finally:
        fig.set_layout_engine(engine)


def to_svg(fig: Figure) -> str:
    """Return the figure as SVG text with a fixed hash salt and no date in its metadata."""
    buf = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def wrap(text: str, width: int = 34) -> str:
    """Return `text` wrapped on word boundaries to lines of at most `width` characters."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


# ----------------------------------------------------------------------------- grouped bars


@dataclass(frozen=True)
class Bar:
    """One bar: its number (None: no bar), the text written at its end, and whether it is
    approximate (a qualifier such as `trên`: drawn hatched)."""

    value: float | None
    text: str = ""
    approx: bool = False


@dataclass(frozen=True)
class Panel:
    """One panel of bars sharing an axis: `labels` (one per row, top to bottom), `series` an ordered
    mapping of series name → one `Bar` per label, `value_type` count, money or percent."""

    labels: Sequence[str]
    series: Mapping[str, Sequence[Bar]]
    value_type: str = "count"


def _bar_axis(ax: Any, panel: Panel, lang: str, show_legend: bool) -> None:
    names = list(panel.series)
    n_rows, n_series = len(panel.labels), max(len(names), 1)
    height = 0.8 / n_series
    values = [b.value for bars in panel.series.values() for b in bars if b.value is not None]
    largest = max((abs(v) for v in values), default=0.0)
    divisor, unit = money_scale(largest, lang) if panel.value_type == "money" else (1.0, "")
    for s, name in enumerate(names):
        bars = panel.series[name]
        color = SERIES_COLORS[s % len(SERIES_COLORS)]
        for row, bar in enumerate(bars):
            if bar.value is None:
                continue
            y = row + (s - (n_series - 1) / 2) * height
            ax.barh(
                y,
                bar.value,
                height=height * 0.92,
                color=color,
                hatch="///" if bar.approx else None,
                edgecolor=color if not bar.approx else "white",
                linewidth=0,
                label=name if row == next(i for i, b in enumerate(bars) if b.value is not None) else None,
            )
            if bar.text:
                ax.annotate(
                    bar.text,
                    (bar.value, y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontsize=9,
                    color=COLORS["ink"],
                )
    ax.set_yticks(range(n_rows), [wrap(label) for label in panel.labels])
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3, integer=panel.value_type == "count"))
    ax.xaxis.set_major_formatter(number_formatter(panel.value_type, lang, divisor))
    ax.set_xlim(0, largest * 1.28 if largest > 0 else 1)
    ax.grid(axis="x")
    ax.set_axisbelow(True)
    if unit:
        ax.set_xlabel(unit)
    if show_legend and len(names) > 1:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=min(len(names), 3), borderaxespad=0.2)


@styled
def bar_panels(panels: Sequence[Panel], *, title: str = "", lang: str = "vi", note: str | None = None) -> Figure:
    """Return horizontal grouped bars, one panel per value type (counts, money, percentages do not
    share an axis), sized to the number of rows; approximate bars hatched, each bar labelled with
    its text. Refuses (ValueError) an empty list of panels or a series whose length differs from
    its panel's labels."""
    if not panels:
        raise ValueError("bar_panels needs at least one panel")
    for panel in panels:
        for name, bars in panel.series.items():
            if len(bars) != len(panel.labels):
                raise ValueError(f"series {name!r} has {len(bars)} bars for {len(panel.labels)} labels")
    rows = [max(len(p.labels), 1) for p in panels]
    series = max(len(p.series) for p in panels)
    per_row = 0.28 + 0.1 * max(series - 1, 0)
    height = sum(rows) * per_row + 0.55 * len(panels) + (0.45 if title else 0) + (0.3 if note else 0)
    fig = new_figure(max(height, 1.6))
    axes = fig.subplots(len(panels), 1, squeeze=False, height_ratios=[r + 0.8 for r in rows])[:, 0]
    for i, (ax, panel) in enumerate(zip(axes, panels)):
        _bar_axis(ax, panel, lang, show_legend=(i == 0))
    if title:
        fig.suptitle(wrap(title, TITLE_CHARS), x=0.01, ha="left", fontsize=11, fontweight="bold")
    _add_note(fig, note)
    return fig


def _add_note(fig: Figure, note: str | None) -> None:
    """Write `note` under the axes, in the strip that constrained layout leaves free for it."""
    if not note:
        return
    height = fig.get_figheight()
    # the constrained and tight engines both take rect; the base class's stub does not say so
    fig.get_layout_engine().set(rect=(0, 0.32 / height, 1, 1 - 0.32 / height))  # type: ignore[call-arg]
    fig.text(0.01, 0.04 / height, note, fontsize=9, color=COLORS["muted"], ha="left", va="bottom")


# ----------------------------------------------------------------------------- trends

#: Small multiples per figure: 4 rows of 2 fit the text height of an A4 page.
MAX_PANELS = 8


class Figures(list):
    """Several figures shown one after the other by a notebook cell (a page's worth each)."""

    def _ipython_display_(self) -> None:
        # imported when needed: it loads IPython (start-up time)
        from IPython.display import display

        for fig in self:
            display(fig)


@dataclass(frozen=True)
class TrendPoint:
    """One point of a trend: the period (code and label), its value, and whether it is approximate
    or a sum over predecessor units (both drawn hollow)."""

    code: str
    label: str
    value: float
    approx: bool = False
    summed: bool = False


@dataclass(frozen=True)
class TrendPanel:
    """One small chart: a title, its value type, and lines by name (one per kind of period), each an
    ordered list of points."""

    title: str
    lines: Mapping[str, Sequence[TrendPoint]]
    value_type: str = "count"


#: Inches per line of text on a chart (9–9.5 pt with matplotlib's 1.2 line spacing), and the width of
#: a tick label's character (DejaVu Sans digits at 9 pt are 0.64 em): the fixed grids reserve room with these.
_LINE_IN = 0.165
_CHAR_IN = 0.076


@styled
def trend_panels(
    panels: Sequence[TrendPanel], *, title: str = "", lang: str = "vi", ncols: int = 2, note: str | None = None
) -> Figure:
    """Return small multiples of lines over periods; the x axis lists the periods of the panel in
    time order (labelled with each point's `label`, best short: `6T đầu\\n2024`) and a line joins only
    the periods of one kind. Hollow points: approximate, or summed over predecessor units. One column
    when a panel has more than 6 periods; at most 12 labels per axis. Laid out on a fixed grid that
    reserves room for each row's titles and period labels and each column's value labels (no
    constrained layout: it cost half of a province page's charts). Refuses (ValueError) an empty
    list of panels."""
    if not panels:
        raise ValueError("trend_panels needs at least one panel")
    longest = max(len({p.code for pts in pn.lines.values() for p in pts}) for pn in panels)
    ncols = 1 if longest > 6 else max(1, min(ncols, len(panels)))
    nrows = -(-len(panels) // ncols)
    title_text = wrap(title, TITLE_CHARS) if title else ""
    title_lines = title_text.count("\n") + 1 if title else 0
    # the height constrained layout was given (one line of title), a line more for each further line
    height = 0.6 + 1.9 * nrows + (0.45 + 0.19 * (title_lines - 1) if title else 0) + (0.3 if note else 0)
    top_in = 0.2 + 0.19 * title_lines if title else 0.12
    bottom_in = 0.36 if note else 0.1
    row_in = (height - top_in - bottom_in) / nrows
    fig = new_figure(height, layout=None)
    width = fig.get_figwidth()
    drawn = []
    for panel in panels:
        ax = fig.add_axes((0, 0, 1, 1))  # placed below, once every panel's texts are known
        drawn.append((ax, _trend_axis(ax, panel, lang, 64 if ncols == 1 else 30)))
    # the grid: each row as tall as row_in, its titles and period labels inside; each column as wide
    # as the text width allows, its value labels (and unit) inside
    gap_in, right_in = 0.3, 0.12
    cell_w = (width - gap_in * (ncols - 1) - right_in) / ncols
    for row in range(nrows):
        cells = drawn[row * ncols : (row + 1) * ncols]
        title_lines = max(t for _, (t, _, _) in cells)
        label_lines = max(x for _, (_, x, _) in cells)
        head = 0.1 + _LINE_IN * title_lines
        foot = 0.1 + _LINE_IN * label_lines
        top = height - top_in - row * row_in
        for col, (ax, _) in enumerate(cells):
            column = drawn[col::ncols]
            left = (
                0.1
                + _CHAR_IN * max(abs(chars) for _, (_, _, chars) in column)
                + (0.22 if any(chars < 0 for _, (_, _, chars) in column) else 0)
            )
            x0 = col * (cell_w + gap_in) + left
            ax.set_position(
                (x0 / width, (top - row_in + foot) / height, (cell_w - left) / width, (row_in - head - foot) / height)
            )
    if title:
        fig.text(0.01, 1 - 0.08 / height, title_text, ha="left", va="top", fontsize=11, fontweight="bold")
    if note:
        fig.text(0.01, 0.04 / height, note, fontsize=9, color=COLORS["muted"], ha="left", va="bottom")
    return fig


def _trend_axis(ax: Any, panel: TrendPanel, lang: str, title_chars: int) -> tuple[int, int, int]:
    """Draw one panel of `trend_panels` on `ax`; return the lines of its title, the lines of its
    period labels and the characters of its widest value label (negative when a unit label is
    written beside the axis), so that the grid can make room for them."""
    order: dict[str, str] = {}
    for points in panel.lines.values():
        for p in points:
            order.setdefault(p.code, p.label)
    codes = sorted(order, key=_period_key)
    x_of = {c: i for i, c in enumerate(codes)}
    values = [p.value for pts in panel.lines.values() for p in pts]
    largest = max((abs(v) for v in values), default=0.0)
    divisor, unit = money_scale(largest, lang) if panel.value_type == "money" else (1.0, "")
    for s, (name, points) in enumerate(panel.lines.items()):
        color = SERIES_COLORS[s % len(SERIES_COLORS)]
        pts = sorted(points, key=lambda p: _period_key(p.code))
        xs = [x_of[p.code] for p in pts]
        ax.plot(xs, [p.value for p in pts], color=color, linewidth=1.6, label=name, zorder=2)
        # the points: one artist for the solid ones, one for the hollow (approximate or summed)
        for hollow in (False, True):
            marked = [(x, p.value) for x, p in zip(xs, pts) if (p.approx or p.summed) == hollow]
            if marked:
                ax.plot(
                    [x for x, _ in marked],
                    [v for _, v in marked],
                    linestyle="none",
                    marker="o",
                    markersize=5,
                    color=color,
                    markerfacecolor="white" if hollow else color,
                    zorder=3,
                )
    step = -(-len(codes) // 12)
    shown = list(range(0, len(codes), step))
    labels = [order[codes[i]] for i in shown]
    ax.set_xticks(shown, labels, fontsize=9)
    ax.set_xlim(-0.4, len(codes) - 0.6)
    locator = MaxNLocator(nbins=4, min_n_ticks=3, integer=panel.value_type == "count")
    formatter = number_formatter(panel.value_type, lang, divisor)
    ax.yaxis.set_major_locator(locator)
    ax.yaxis.set_major_formatter(formatter)
    ax.set_ylim(bottom=0, top=largest * 1.15 if largest > 0 else 1)
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    title = wrap(panel.title, title_chars)
    ax.set_title(title, fontsize=9.5, fontweight="bold")
    if unit:
        ax.set_ylabel(unit)
    if len(panel.lines) > 1:
        ax.legend(loc="lower left", fontsize=9)
    low, high = ax.get_ylim()
    ticks = [t for t in locator.tick_values(low, high) if low - 1e-9 <= t <= high + 1e-9]
    chars = max((len(formatter(t)) for t in ticks), default=1)
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return title.count("\n") + 1, lines, -chars if unit else chars


def _period_key(code: str) -> tuple:
    try:
        p = Period.parse(code)
        return (p.start, p.end)
    except Exception:
        return (code,)


# ----------------------------------------------------------------------------- ranking


@styled
def rank_chart(
    names: Sequence[str],
    values: Sequence[float],
    *,
    highlight: Sequence[str] = (),
    value_type: str = "count",
    title: str = "",
    lang: str = "vi",
    texts: Sequence[str] | None = None,
) -> Figure:
    """Return horizontal bars of one indicator across provinces, highest first, the `highlight`
    names in the accent colour and labelled with `texts` (default: the formatted values).
    Refuses (ValueError) names and values of different lengths."""
    if len(names) != len(values):
        raise ValueError("names and values must have the same length")
    order = sorted(range(len(names)), key=lambda i: (-values[i], names[i]))
    labels = [names[i] for i in order]
    numbers = [values[i] for i in order]
    shown = [texts[i] for i in order] if texts is not None else None
    largest = max((abs(v) for v in numbers), default=0.0)
    divisor, unit = money_scale(largest, lang) if value_type == "money" else (1.0, "")
    fmt = number_formatter(value_type, lang, divisor)
    fig = new_figure(max(1.6, 0.75 + 0.24 * len(labels) + (0.4 if title else 0)))
    ax = fig.subplots()
    for row, (label, value) in enumerate(zip(labels, numbers)):
        color = COLORS["highlight"] if label in set(highlight) else COLORS["accent"]
        ax.barh(row, value, height=0.72, color=color, linewidth=0)
        text = shown[row] if shown is not None else fmt(value)
        ax.annotate(text, (value, row), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3, integer=value_type == "count"))
    ax.xaxis.set_major_formatter(fmt)
    ax.set_xlim(0, largest * 1.25 if largest > 0 else 1)
    ax.grid(axis="x")
    ax.set_axisbelow(True)
    if unit:
        ax.set_xlabel(unit)
    if title:
        ax.set_title(wrap(title, TITLE_CHARS))
    return fig


def legend_handles(items: Sequence[tuple[str, str]]) -> list[Patch]:
    """Return legend patches for (label, colour) pairs."""
    return [Patch(facecolor=color, edgecolor=COLORS["muted"], linewidth=0.4, label=label) for label, color in items]


# ----------------------------------------------------------------------------- like with like


@dataclass(frozen=True)
class PeriodBar:
    """One period of an indicator: its label (`6T đầu\\n2024`), value, the text written at the bar's
    end, whether it is this period (drawn in the highlight colour) and approximate (hatched)."""

    label: str
    value: float
    text: str = ""
    current: bool = False
    approx: bool = False


@dataclass(frozen=True)
class IndicatorPeriods:
    """One indicator across periods: a panel title (the indicator), its value type, its periods in time order."""

    title: str
    bars: Sequence[PeriodBar]
    value_type: str = "count"


@styled
def periods_chart(panels: Sequence[IndicatorPeriods], *, title: str = "", lang: str = "vi", ncols: int = 2) -> Figure:
    """Return small multiples, one indicator a panel (its own scale: no two indicators share one), each
    a column per period in time order, this period in the highlight colour, approximate figures
    hatched, each column labelled with its figure (so no value axis is drawn). Laid out on a fixed
    grid (no constrained layout: a page's charts must be cheap). Refuses (ValueError) no panels or a
    panel without bars."""
    if not panels:
        raise ValueError("periods_chart needs at least one panel")
    if any(not p.bars for p in panels):
        raise ValueError("every panel needs at least one period")
    ncols = max(1, min(ncols, len(panels)))
    nrows = -(-len(panels) // ncols)
    top_in, row_in = (0.42 if title else 0.1), 1.85
    height = top_in + row_in * nrows
    fig = new_figure(height, layout=None)
    width = fig.get_figwidth()
    gap = 0.35 / width
    cell_w = (1 - 0.02 - gap * (ncols - 1)) / ncols
    for n, panel in enumerate(panels):
        row, col = divmod(n, ncols)
        bottom = (height - top_in - row_in * (row + 1) + 0.5) / height
        ax = fig.add_axes((0.01 + col * (cell_w + gap), bottom, cell_w, (row_in - 0.95) / height))
        values = [b.value for b in panel.bars]
        largest = max((abs(v) for v in values), default=0.0)
        xs = range(len(panel.bars))
        colors = [COLORS["highlight"] if b.current else COLORS["accent"] for b in panel.bars]
        ax.bar(
            xs,
            values,
            width=0.62,
            color=colors,
            linewidth=0,
            hatch=["///" if b.approx else None for b in panel.bars],
            edgecolor="white",
        )
        for x, b in zip(xs, panel.bars):
            if b.text:
                ax.text(x, b.value, b.text, ha="center", va="bottom", fontsize=9)
        ax.set_xticks(list(xs), [b.label for b in panel.bars], fontsize=9)
        ax.tick_params(axis="x", length=0)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_ylim(0, largest * 1.25 if largest > 0 else 1)
        ax.set_xlim(-0.5, len(panel.bars) - 0.5)
        ax.text(
            0,
            1.08,
            wrap(panel.title, 64 if ncols == 1 else 30),
            transform=ax.transAxes,
            ha="left",
            va="bottom",
            fontsize=9.5,
            fontweight="bold",
        )
    if title:
        fig.text(0.01, 1 - 0.08 / height, wrap(title, TITLE_CHARS), ha="left", va="top", fontsize=11, fontweight="bold")
    return fig


@dataclass(frozen=True)
class Strip:
    """One indicator across the provinces of one period: every province's value (no names), the value
    of the province the page is about, the median, and the row's label and value type."""

    label: str
    values: Sequence[float]
    value: float
    median: float
    value_type: str = "count"


@styled
def strip_chart(strips: Sequence[Strip], *, title: str = "", lang: str = "vi", province: str = "") -> Figure:
    """Return one strip per indicator, each on its own scale (indicators never share one): a grey dot
    per province, a black tick at the median, the page's province as a larger dot in the highlight
    colour; under each strip its lowest, median and highest figures and the province's, written
    out (so no value axis is drawn). Fixed layout, no constrained layout. Refuses (ValueError) no
    strips or a strip without values."""
    if not strips:
        raise ValueError("strip_chart needs at least one strip")
    if any(not s.values for s in strips):
        raise ValueError("every strip needs at least one value")
    top_in, row_in = (0.75 if title else 0.4), 0.62
    height = top_in + row_in * len(strips) + 0.1
    fig = new_figure(height, layout=None)
    left = 0.37
    for n, s in enumerate(strips):
        bottom = (height - top_in - row_in * (n + 1) + 0.25) / height
        ax = fig.add_axes((left, bottom, 0.99 - left, 0.26 / height))
        low, high = min(min(s.values), s.value), max(max(s.values), s.value)
        pad = (high - low) * 0.03 or 1
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(-1, 1)
        ax.axhline(0, color=COLORS["grid"], linewidth=0.8, zorder=0)
        ax.scatter(list(s.values), [0] * len(s.values), s=16, color=COLORS["muted"], alpha=0.55, linewidths=0)
        ax.plot([s.median, s.median], [-0.9, 0.9], color=COLORS["ink"], linewidth=1.6)
        ax.scatter([s.value], [0], s=60, color=COLORS["highlight"], zorder=3, linewidths=0.6, edgecolors="white")
        ax.set_axis_off()
        below, own = _strip_texts(s, lang)
        ax.text(
            0,
            -1.15,
            below,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="top",
            fontsize=8.5,
            color=COLORS["muted"],
        )
        ax.annotate(
            own,
            (s.value, 0.5),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
            fontweight="bold",
            color=COLORS["highlight"],
        )
        fig.text(left - 0.015, bottom + 0.13 / height, wrap(s.label, 30), ha="right", va="center", fontsize=9)
    handles = [
        Line2D([], [], marker="o", linestyle="", color=COLORS["highlight"], label=province),
        Line2D(
            [],
            [],
            marker="|",
            linestyle="",
            markersize=10,
            color=COLORS["ink"],
            label=i18n.pick(lang, "trung vị", "median"),
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=4,
            color=COLORS["muted"],
            label=i18n.pick(lang, "các tỉnh khác", "other provinces"),
        ),
    ]
    fig.legend(
        handles=handles,
        loc="upper right",
        bbox_to_anchor=(0.99, 1 - (top_in - 0.32) / height),
        ncol=3,
        frameon=False,
        fontsize=9,
    )
    if title:
        fig.text(0.01, 1 - 0.08 / height, wrap(title, TITLE_CHARS), ha="left", va="top", fontsize=11, fontweight="bold")
    return fig


def _strip_texts(strip: Strip, lang: str) -> tuple[str, str]:
    """The figures written under a strip: (lowest, highest and median; the province's)."""

    def f(x: float) -> str:
        return format_amount(round(x, 2), strip.value_type, lang)

    low, high = min(strip.values), max(strip.values)
    return (
        i18n.pick(
            lang,
            f"thấp nhất {f(low)} · trung vị {f(strip.median)} · cao nhất {f(high)}",
            f"lowest {f(low)} · median {f(strip.median)} · highest {f(high)}",
        ),
        f(strip.value),
    )


class Chart:
    """A chart as a notebook shows it: the figure as PNG with its text alternative (`alt`, which
    states its numbers) and its size in the output's metadata, which the site uses as the image's
    `alt`, `width` and `height`."""

    def __init__(self, figure: Figure, alt: str) -> None:
        self.figure, self.alt = figure, alt

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        png = to_png(self.figure)
        width, height = (round(x) for x in self.figure.get_size_inches() * 96)
        data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": self.alt}
        return data, {"image/png": {"width": width, "height": height, "alt": self.alt}}

"""Maps of the provinces (choropleths) from `data/reference/geo/`, drawn with matplotlib alone.

Before 1 July 2025 the map has the 63 units (`vn_provinces_63.geojson`, joined to GSO codes through
its crosswalk; Côn Đảo is a separate feature with the code of Bà Rịa–Vũng Tàu, so features are
grouped by code); from that day the 34 units (`vn_provinces_34.geojson`, code in `properties.code`).
The mainland is drawn at a readable scale (longitude below 110.5° E, and reefs south of 9° N east of
107.5° E counted with Trường Sa); the islands further out are drawn in two insets, Quần đảo Hoàng Sa (Đà Nẵng) and Quần đảo Trường Sa (Khánh Hòa), in the colour
of their province. Geometry is read with `json`, simplified by snapping to a 0.005° grid (well
below a pixel at this size), and cached per file.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.cm import ScalarMappable

from giaoban.briefing import charts, i18n
from giaoban.errors import InputError
from giaoban.data.validation import default_data_dir

__all__ = [
    "MERGER_DATE",
    "MAINLAND_MAX_LON",
    "Boundaries",
    "boundaries",
    "choropleth",
    "SOURCE_63",
    "SOURCE_34",
    "RAMP",
]

#: First day of the 34 units.
MERGER_DATE = date(2025, 7, 1)
#: Longitude east of which a polygon is an outlying island, drawn in an inset.
MAINLAND_MAX_LON = 110.5
_GRID = 0.005
SOURCE_63 = "geoBoundaries VNM ADM1"
SOURCE_34 = "sapnhap.bando.com.vn (thanglequoc/vietnamese-provinces-database)"
#: Background of the island insets (a light sea, so that small islands stand out).
SEA = "#eaf1f5"
#: The sequential colour ramp of numeric maps (light to the house accent).
RAMP = LinearSegmentedColormap.from_list("giaoban", ["#e3eef4", "#8fb8cc", "#3f7f9c", "#123f55"])


@dataclass(frozen=True)
class Boundaries:
    """Polygons by GSO code: `mainland`, `paracels` (Hoàng Sa) and `spratlys` (Trường Sa) map a code
    to a list of (N, 2) arrays of longitude, latitude; `source` names the file's origin."""

    mainland: Mapping[str, list[np.ndarray]]
    paracels: Mapping[str, list[np.ndarray]]
    spratlys: Mapping[str, list[np.ndarray]]
    source: str
    n_units: int


def _geo_dir(data_dir: str | Path | None) -> Path:
    if data_dir is None:
        data_dir = default_data_dir()
    return Path(data_dir) / "reference" / "geo"


def _snap(ring: list[list[float]]) -> np.ndarray:
    pts = np.round(np.asarray(ring, dtype=float)[:, :2] / _GRID) * _GRID
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
    pts = pts[keep]
    return pts if len(pts) >= 3 else np.asarray(ring, dtype=float)[:, :2]


def _polygons(geometry: Mapping[str, Any]) -> list[list]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise InputError(f"hình học không hỗ trợ: {geometry['type']} (cần Polygon hoặc MultiPolygon)")


@lru_cache(maxsize=4)
def _read(path: str, mtime: int, crosswalk: str | None) -> Boundaries:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"không đọc được ranh giới ({error})", path=path) from None
    code_of: dict[str, str] = {}
    if crosswalk:
        with open(crosswalk, encoding="utf-8", newline="") as fh:
            code_of = {row["shapeID"]: row["gso_code"] for row in csv.DictReader(fh)}
    parts: dict[str, dict[str, list[np.ndarray]]] = {"mainland": {}, "paracels": {}, "spratlys": {}}
    for n, feature in enumerate(data.get("features", [])):
        props = feature.get("properties") or {}
        code = code_of.get(props.get("shapeID")) if crosswalk else props.get("code")
        if not code:
            raise InputError(f"đối tượng {n} không có mã tỉnh (GSO) trong ranh giới hay bảng nối", path=path)
        for polygon in _polygons(feature["geometry"]):
            outer = polygon[0]  # the files have no holes
            lon = sum(p[0] for p in outer) / len(outer)
            lat = sum(p[1] for p in outer) / len(outer)
            if lon > MAINLAND_MAX_LON:
                where = "paracels" if lat > 14 else "spratlys"
            elif lat < 9.0 and lon > 107.5:  # reefs of the Trường Sa group west of 110.5° (Tư Chính)
                where = "spratlys"
            else:
                where = "mainland"
            parts[where].setdefault(code, []).append(_snap(outer))
    n_units = len(set(parts["mainland"]) | set(parts["paracels"]) | set(parts["spratlys"]))
    source = SOURCE_63 if crosswalk else SOURCE_34
    return Boundaries(parts["mainland"], parts["paracels"], parts["spratlys"], source, n_units)


def boundaries(on: Any, data_dir: str | Path | None = None) -> Boundaries:
    """Return the boundaries in force on `on` (a date, or a period: its last day): the 63 units
    before 2025-07-01, the 34 from then on, grouped by GSO code. Refuses (InputError naming the file)
    a missing or unreadable file, and a feature without a code."""
    day = on if isinstance(on, date) else getattr(on, "end", None)
    if not isinstance(day, date):
        raise TypeError(f"on phải là một ngày hoặc một kỳ, không phải {on!r}")
    geo = _geo_dir(data_dir)
    if day < MERGER_DATE:
        path, crosswalk = geo / "vn_provinces_63.geojson", geo / "vn_provinces_63_geojson_crosswalk.csv"
    else:
        path, crosswalk = geo / "vn_provinces_34.geojson", None
    for f in (path, crosswalk):
        if f is not None and not f.is_file():
            raise InputError("không tìm thấy tệp ranh giới", path=str(f))
    return _read(str(path), path.stat().st_mtime_ns, str(crosswalk) if crosswalk else None)


def _draw(
    ax: Any,
    shapes: Mapping[str, list[np.ndarray]],
    color_of: Mapping[str, str],
    default: str,
    highlight: set[str],
    linewidth: float,
    edge: str = "white",
) -> None:
    polys, faces = [], []
    for code in sorted(shapes):
        for ring in shapes[code]:
            polys.append(ring)
            faces.append(color_of.get(code, default))
    ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors=edge, linewidths=linewidth))
    lines = [ring for code in sorted(highlight) for ring in shapes.get(code, [])]
    if lines:
        ax.add_collection(
            PolyCollection(lines, facecolors="none", edgecolors=charts.COLORS["highlight"], linewidths=1.4)
        )


def _frame(ax: Any, shapes: Mapping[str, list[np.ndarray]], pad: float = 0.25) -> None:
    pts = np.concatenate([r for rings in shapes.values() for r in rings]) if shapes else np.zeros((1, 2))
    (x0, y0), (x1, y1) = pts.min(axis=0) - pad, pts.max(axis=0) + pad
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])


@charts.styled
def choropleth(
    on: Any,
    *,
    values: Mapping[str, float] | None = None,
    categories: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
    default_label: str = "",
    value_type: str = "count",
    title: str = "",
    lang: str = "vi",
    highlight: Sequence[str] = (),
    data_dir: str | Path | None = None,
) -> Figure:
    """Return a map of the provinces in force on `on`, A4 text width, mainland at left and the
    Hoàng Sa and Trường Sa insets at right.

    Either `values` (code → number: a sequential ramp with a colour bar written the Vietnamese way;
    provinces without a value grey, labelled "không có số liệu") or `categories` (code → label, with
    `colors` label → colour; other provinces grey, labelled `default_label`). `highlight` codes are
    outlined. Refuses (ValueError) both or neither of `values` and `categories`, and what
    `boundaries` refuses.
    """
    if (values is None) == (categories is None):
        raise ValueError("give either values or categories")
    shapes = boundaries(on, data_dir)
    fig = charts.new_figure(7.4, layout="none")
    main = fig.add_axes((0.0, 0.01, 0.56, 0.88))
    grey = charts.COLORS["no_data"]
    color_of: dict[str, str] = {}
    legend_items: list[tuple[str, str]] = []
    norm = None
    if values is not None:
        numbers = {c: float(v) for c, v in values.items() if v is not None and v == v}
        lo, hi = (min(numbers.values()), max(numbers.values())) if numbers else (0.0, 1.0)
        if lo == hi:
            lo, hi = (0.0, hi) if hi > 0 else (hi - 1, hi + 1)
        norm = Normalize(lo, hi)
        color_of = {c: _hex(RAMP(norm(v))) for c, v in numbers.items()}
        legend_items = [(str(i18n.t("legend_no_data", lang)), grey)]
    else:
        colors = dict(colors or {})
        labels = sorted(set(categories.values()))
        for i, label in enumerate(labels):
            colors.setdefault(label, charts.SERIES_COLORS[i % len(charts.SERIES_COLORS)])
        color_of = {c: colors[label] for c, label in categories.items()}
        legend_items = [(label, colors[label]) for label in labels]
        if default_label:
            legend_items.append((default_label, grey))
    _draw(main, shapes.mainland, color_of, grey, set(highlight), 0.35)
    _frame(main, shapes.mainland)
    main.axis("off")

    if title:
        fig.text(0.01, 0.99, charts.wrap(title, 70), fontsize=11, fontweight="bold", va="top", ha="left")
    insets = [
        (
            "paracels",
            (0.60, 0.62, 0.36, 0.17),
            i18n.pick(lang, "Quần đảo Hoàng Sa\n(thành phố Đà Nẵng)", "Hoàng Sa (Paracel) islands\n(Da Nang city)"),
        ),
        (
            "spratlys",
            (0.60, 0.25, 0.36, 0.27),
            i18n.pick(
                lang, "Quần đảo Trường Sa\n(tỉnh Khánh Hòa)", "Trường Sa (Spratly) islands\n(Khanh Hoa province)"
            ),
        ),
    ]
    for key, rect, label in insets:
        part = getattr(shapes, key)
        if not part:
            continue
        ax = fig.add_axes(rect)
        ax.set_facecolor(SEA)
        _draw(ax, part, color_of, grey, set(highlight), 0.8, edge=charts.COLORS["muted"])
        _frame(ax, part, pad=0.3)
        for side in ax.spines.values():
            side.set_visible(True)
            side.set_color(charts.COLORS["muted"])
            side.set_linewidth(0.6)
        ax.set_title(label, fontsize=9, fontweight="normal", loc="left")
    if norm is not None:
        cax = fig.add_axes((0.60, 0.14, 0.34, 0.022))
        bar = fig.colorbar(_mappable(norm), cax=cax, orientation="horizontal")
        divisor, unit = charts.money_scale(norm.vmax, lang) if value_type == "money" else (1.0, "")
        bar.ax.xaxis.set_major_formatter(charts.number_formatter(value_type, lang, divisor))
        bar.ax.tick_params(labelsize=9)
        bar.outline.set_linewidth(0.4)
        if unit:
            bar.set_label(unit, fontsize=9)
    leg = fig.legend(
        handles=charts.legend_handles(legend_items),
        loc="lower left",
        bbox_to_anchor=(0.59, 0.03 if norm is not None else 0.12),
        fontsize=9,
    )
    leg.set_frame_on(False)
    return fig


def _mappable(norm: Normalize) -> Any:
    return ScalarMappable(norm=norm, cmap=RAMP)


def _hex(rgba: Sequence[float]) -> str:
    return "#" + "".join(f"{int(round(c * 255)):02x}" for c in rgba[:3])


def units_on(day: date) -> int:
    """Return the number of provincial units of the map in force on `day` (63 or 34)."""
    return 63 if day < MERGER_DATE else 34

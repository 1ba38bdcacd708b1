"""The house style of the charts and the maps: paper sizes, Vietnamese numbers, reproducible images."""

from __future__ import annotations

import re
from datetime import date

import matplotlib
import pytest
from matplotlib.text import Text

from giaoban.briefing import charts, maps
from giaoban.domain.periods import Period

BARS = [charts.Panel(["Phương tiện đo được kiểm định", "Mẫu được thử nghiệm"],
                     {"6 tháng đầu năm 2021": [charts.Bar(1287, "1.287"), charts.Bar(271, "271")],
                      "6 tháng đầu năm 2020": [charts.Bar(None), charts.Bar(500, "trên 500", approx=True)]}),
        charts.Panel(["Tiền xử phạt vi phạm hành chính"], {"6 tháng đầu năm 2021": [charts.Bar(50074800, "50.074.800 đồng")]},
                     "money")]


def texts(fig):
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


def tick_labels(fig):
    fig.canvas.draw()
    return [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]


def test_figures_fit_an_a4_page_at_150_dpi():
    fig = charts.bar_panels(BARS, title="Tiêu chuẩn, đo lường, chất lượng: Quảng Ngãi", note="Sọc chéo: số ước lượng.")
    assert fig.dpi >= 150 and fig.get_figwidth() == pytest.approx(16 / 2.54)
    assert isinstance(fig.canvas, matplotlib.backends.backend_agg.FigureCanvasAgg)


@pytest.mark.parametrize("make", [
    lambda: charts.bar_panels(BARS, title="Tiêu đề", note="Ghi chú"),
    lambda: charts.trend_panels([charts.TrendPanel("Nhiệm vụ KH&CN", {"6 tháng": [
        charts.TrendPoint("2020-H1", "6 tháng đầu năm 2020", 40), charts.TrendPoint("2021-H1", "6 tháng đầu năm 2021", 44,
                                                                                      summed=True)]})], title="Xu hướng"),
    lambda: charts.rank_chart(["Quảng Ngãi", "Hà Nội"], [1287, 5000], highlight=["Quảng Ngãi"], title="Xếp hạng"),
    lambda: maps.choropleth(date(2021, 6, 30), categories={"51": "Có báo cáo"}, default_label="Chưa có báo cáo",
                            title="Tỉnh có báo cáo"),
])
def test_every_text_is_at_least_9_points(make):
    fig = make()
    fig.canvas.draw()
    small = [(t.get_text(), t.get_fontsize()) for t in texts(fig) if t.get_fontsize() < charts.MIN_FONT_PT]
    assert small == []


def test_ticks_are_written_the_vietnamese_way():
    fig = charts.bar_panels(BARS, lang="vi")
    labels = tick_labels(fig)
    assert "1.200" in labels or "1.000" in labels                 # thousands with a dot
    assert "triệu đồng" in [ax.get_xlabel() for ax in fig.axes]    # money axis scaled and named
    fig_en = charts.bar_panels(BARS, lang="en")
    assert any("," in t for t in tick_labels(fig_en)) and "million VND" in [ax.get_xlabel() for ax in fig_en.axes]
    f = charts.number_formatter("percent", "vi")
    assert f(99.88) == "99,88%" and f(46) == "46%" and charts.number_formatter()(-0.0001) == "0"


def test_images_are_reproducible():
    first = charts.to_png(charts.bar_panels(BARS, title="Lần một"))
    second = charts.to_png(charts.bar_panels(BARS, title="Lần một"))
    assert first == second and first[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"tIME" not in first and b"Software" not in first
    svg1, svg2 = (charts.to_svg(charts.bar_panels(BARS)) for _ in range(2))
    assert svg1 == svg2 and "<dc:date>" not in svg1


def test_charts_refuse_mismatched_input():
    with pytest.raises(ValueError):
        charts.bar_panels([])
    with pytest.raises(ValueError):
        charts.bar_panels([charts.Panel(["a", "b"], {"s": [charts.Bar(1)]})])
    with pytest.raises(ValueError):
        charts.rank_chart(["a"], [1, 2])


def test_style_does_not_depend_on_global_rcparams():
    with matplotlib.rc_context({"font.size": 5, "axes.titlesize": 5}):
        fig = charts.rank_chart(["Quảng Ngãi"], [1287], title="Xếp hạng")
    fig.canvas.draw()
    assert min(t.get_fontsize() for t in texts(fig)) >= charts.MIN_FONT_PT


# ------------------------------------------------------------------ maps

def test_the_63_unit_map_dissolves_con_dao_into_ba_ria_vung_tau():
    shapes = maps.boundaries(date(2021, 6, 30))
    assert shapes.n_units == 63 and "geoBoundaries" in shapes.source
    assert len(shapes.mainland["77"]) >= 2                         # Bà Rịa–Vũng Tàu and Côn Đảo, one code
    assert set(shapes.paracels) == {"48"}                          # Hoàng Sa: Đà Nẵng
    assert set(shapes.spratlys) == {"56"}                          # Trường Sa: Khánh Hòa
    mainland_east = max(ring[:, 0].max() for rings in shapes.mainland.values() for ring in rings)
    assert mainland_east <= maps.MAINLAND_MAX_LON


def test_the_map_follows_the_period_63_units_before_july_2025_and_34_after():
    assert maps.boundaries(Period.parse("2025-H1")).n_units == 63
    after = maps.boundaries(Period.parse("2025-H2"))
    assert after.n_units == 34 and set(after.paracels) == {"48"} and set(after.spratlys) == {"56"}


def test_choropleth_needs_values_or_categories():
    with pytest.raises(ValueError):
        maps.choropleth(date(2021, 6, 30))
    fig = maps.choropleth(date(2025, 12, 31), values={"51": 1287, "01": 5000}, title="Phương tiện đo được kiểm định")
    labels = [t.get_text() for t in texts(fig)]
    assert any("Hoàng Sa" in t for t in labels) and any("Trường Sa" in t for t in labels)
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", t) for t in tick_labels(fig))   # colour bar: 1.000, 2.000…


def test_long_trends_split_into_pages_of_small_multiples():
    point = lambda code, v: charts.TrendPoint(code, code, v)  # noqa: E731
    panels = [charts.TrendPanel(f"Chỉ tiêu {i}", {"6 tháng": [point("2020-H1", 1), point("2021-H1", 2)]})
              for i in range(3)]
    fig = charts.trend_panels(panels)
    assert fig.get_figheight() < 25 / 2.54                          # fits the text height of an A4 page
    many = [charts.TrendPanel("Một chỉ tiêu", {"6 tháng": [point(f"{y}-H1", y - 2000) for y in range(2010, 2026)]})]
    fig = charts.trend_panels(many)
    fig.canvas.draw()
    assert len([t for t in fig.axes[0].get_xticklabels() if t.get_text()]) <= 12

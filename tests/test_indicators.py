"""`giaoban.domain.indicators`: the catalogue as typed data, with look-ups; a broken catalogue is refused."""

from __future__ import annotations

import shutil

import pytest

from giaoban import paths
from giaoban.errors import InputError
from giaoban.data.dataset import load_catalogue
from giaoban.domain.indicators import Area, Catalogue, Indicator

DATA = paths.DATA


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(DATA)


def test_areas_in_briefing_order(cat):
    assert [a.code for a in cat.areas] == ["science", "technology", "ip", "standards", "inspection", "startup",
                                           "finance"]
    assert [a.order for a in cat.areas] == list(range(1, 8))
    assert cat.area("standards").label("vi") == "Tiêu chuẩn, đo lường, chất lượng"
    assert cat.area("ip").label("en") == "Intellectual property"


def test_indicators_are_typed(cat):
    verified = cat["standards.instruments_verified"]
    assert isinstance(verified, Indicator)
    assert verified.area == "standards"
    assert verified.label("vi") == "Phương tiện đo được kiểm định"
    assert verified.unit("vi") == "phương tiện đo"
    assert verified.unit("en") == "measuring instruments"
    assert verified.value_type == "count"
    assert (verified.summable_provinces, verified.summable_periods, verified.rankable) == (True, True, True)
    assert verified.max_value is None


def test_shares_have_a_maximum_and_percentages_of_plan_do_not(cat):
    share = cat["standards.iso_communes_percent"]
    assert (share.value_type, share.max_value) == ("percent", 100)
    assert not share.summable_provinces and not share.summable_periods
    assert cat["finance.budget_disbursed_pct_plan"].max_value is None
    assert cat["inspection.fines"].value_type == "money"
    assert cat["inspection.fines"].unit("en") == "VND"


def test_stocks_are_not_summable_over_periods(cat):
    assert cat["science.tasks_managed"].summable_provinces
    assert not cat["science.tasks_managed"].summable_periods
    assert cat["technology.radiation_licences_issued"].summable_periods


def test_lookups(cat):
    assert len(cat) == 81
    assert "inspection.fines" in cat and "inspection.fine" not in cat
    assert cat.get("inspection.fine") is None
    assert [i.code for i in cat.in_area("startup")][:2] == ["startup.training_courses", "startup.trainees"]
    areas = [i.area for i in cat]  # iteration follows the areas' order
    assert areas == sorted(areas, key=[a.code for a in cat.areas].index)
    assert cat.codes == [i.code for i in cat.indicators]


def test_unknown_codes_and_languages_are_refused_with_a_suggestion(cat):
    with pytest.raises(InputError, match="có phải inspection.fines"):
        cat["inspection.fine"]
    with pytest.raises(InputError, match="lĩnh vực “sciences” không có"):
        cat.area("sciences")
    with pytest.raises(InputError, match="ngôn ngữ"):
        cat["inspection.fines"].label("fr")


def test_frame(cat):
    frame = cat.frame("en")
    assert len(frame) == 81
    row = frame.set_index("code").loc["standards.iso_communes_percent"]
    assert (row["area_label"], row["unit"], row["max_value"]) == ("Standards, metrology and quality", "%", 100)
    assert frame["rankable"].dtype == bool


def test_catalogue_can_be_built_from_objects():
    cat = Catalogue([Indicator("b.x", "b", "X", "X", "cái", "items", "count", True, True, True)],
                    [Area("b", 2, "B", "B"), Area("a", 1, "A", "A")])
    assert [a.code for a in cat.areas] == ["a", "b"]
    assert cat["b.x"].label("en") == "X"


def test_broken_catalogue_is_refused_naming_file_row_and_column(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA / "reference", data / "reference", ignore=shutil.ignore_patterns("geo"))
    path = data / "reference" / "indicators.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("science.tasks_new,science,", "science.tasks_new,sciences,", 1), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_catalogue(data)
    message = str(raised.value)
    assert f"{data}/reference/indicators.csv:4:area: lĩnh vực “sciences” không có" in message

"""Params: the YAML files of params/ are validated before anything runs, then expanded into jobs."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from giaoban.build import pipeline as build_module
from giaoban import paths
from giaoban.data.dataset import load_dataset
from giaoban.data.inputs import report_units
from giaoban.execution.jobs import expand
from giaoban.execution.params import Batch, Meeting, ParamsError, load, load_many, public_build
from giaoban.domain.provinces import load_provinces

FIXTURE = Path(__file__).parent / "fixtures" / "build"
PROVINCE_FILES = ("provinces_63.csv", "provinces_34.csv", "province_merger_2025.csv", "gso_regions_6.csv")
REGISTRY = load_provinces()


def project(tmp_path: Path) -> Path:
    """A copy of the build fixture (tiny data, notebooks, params) with the project's province lists."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    for name in PROVINCE_FILES:
        shutil.copy(paths.REFERENCE / name, root / "data" / "reference" / name)
    return root


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def expand_files(files: list[Path], data_dir: Path) -> list:
    dataset = load_dataset(data_dir)
    params = load_many(files, dataset.provinces)
    return expand(params, dataset.reports, report_units(dataset.reports, dataset.provinces), dataset.provinces).jobs


MEETING = "province: \"51\"\nperiod: 2021-H1\nmeeting:\n  type: sơ kết\n  date: 2021-07-23\nlang: vi\n"
BATCH = "provinces: all\nperiods: all-with-data\nnotebooks: [briefing, province, period]\nlangs: [vi]\n"


# --- the project's own params files ------------------------------------------------------------------

def test_the_project_params_files_are_valid_and_name_the_four_source_meetings():
    items = load_many([paths.PARAMS / "meetings", paths.PARAMS / "batches"], REGISTRY)
    meetings = {(m.province.code, m.period.code): m for m in items if isinstance(m, Meeting)}
    assert set(meetings) == {("51", "2021-H1"), ("15", "2020-9M"), ("38", "2018-FY"), ("46", "2019-H1")}
    assert (meetings["51", "2021-H1"].meeting_type, str(meetings["51", "2021-H1"].meeting_date)) == ("so_ket", "2021-07-23")
    assert (meetings["46", "2019-H1"].meeting_type, str(meetings["46", "2019-H1"].meeting_date)) == ("giao_ban", "2019-07-17")
    # 003 dates the review of 2018 "19/01/2018": a contradiction, so the meeting file leaves the date empty.
    assert (meetings["38", "2018-FY"].meeting_type, meetings["38", "2018-FY"].meeting_date) == ("tong_ket", None)
    batches = {b.path.name: b for b in items if isinstance(b, Batch)}
    assert batches["all.yml"].provinces is None and batches["all.yml"].periods is None
    assert batches["all.yml"].langs == ("vi", "en") and batches["all.yml"].notebooks == ("briefing", "province", "period")


def test_all_yml_covers_every_report_of_the_real_data_and_agrees_with_the_meeting_files():
    dataset = load_dataset(paths.DATA)
    jobs = expand_files([paths.PARAMS / "batches" / "all.yml", paths.PARAMS / "meetings"], paths.DATA)
    pages = {j.page for j in jobs}
    for unit, period in {(u, p) for u, p in zip(report_units(dataset.reports, dataset.provinces), dataset.reports["period"])
                         if u is not None}:
        assert f"briefings/{period}/{unit.slug}" in pages and f"en/briefings/{period}/{unit.slug}" in pages
        assert f"provinces/{unit.slug}" in pages and f"en/provinces/{unit.slug}" in pages
    for period in set(dataset.reports["period"]):  # including the report that names no province
        assert f"periods/{period}" in pages and f"en/periods/{period}" in pages
    # each meeting file gives the same job as the batch (same params), so the two merge
    merged = [j for j in jobs if len(j.origins) == 2]
    assert len(merged) == 4 and all(j.notebook == "briefing" and j.lang == "vi" for j in merged)


# --- broken inputs: one clear message naming file and field; nothing runs ------------------------------

BROKEN = {
    "unknown_province": ("meetings/a.yml", MEETING.replace('"51"', '"99"'), "province", "mã “99”"),
    "path_in_province": ("meetings/a.yml", MEETING.replace('"51"', '"../../etc/passwd"'), "province",
                         "../../etc/passwd"),
    "unknown_period": ("meetings/a.yml", MEETING.replace("2021-H1", "2021-H3"), "period", "2021-H3"),
    "province_not_in_force": ("meetings/a.yml", MEETING.replace('"51"', "Kon Tum").replace("2021-H1", "2025-H2")
                              .replace("2021-07-23", "2026-01-20"), "province", "Kon Tum"),
    "missing_field": ("meetings/a.yml", MEETING.replace("period: 2021-H1\n", ""), "period", "thiếu trường"),
    "unknown_field": ("meetings/a.yml", MEETING + "provnce: x\n", "provnce", "không được hỗ trợ"),
    "wrong_type": ("meetings/a.yml", MEETING + "timeout: mười phút\n", "timeout", "số nguyên"),
    "wrong_language": ("meetings/a.yml", MEETING.replace("lang: vi", "lang: fr"), "lang", "'fr'"),
    "meeting_before_period_end": ("meetings/a.yml", MEETING.replace("2021-07-23", "2021-03-01"), "meeting.date",
                                  "01/03/2021"),
    "unknown_meeting_type": ("meetings/a.yml", MEETING.replace("sơ kết", "họp mặt"), "meeting.type", "họp mặt"),
    "unknown_notebook": ("batches/b.yml", BATCH.replace("period]", "slides]"), "notebooks[2]", "slides"),
    "batch_list_wrong_type": ("batches/b.yml", BATCH.replace("langs: [vi]", "langs: vi"), "langs", "danh sách"),
    "batch_unknown_province": ("batches/b.yml", BATCH.replace("provinces: all", "provinces: [Quảng Ngải, Atlantis]"),
                               "provinces[1]", "Atlantis"),
    "malformed_yaml": ("meetings/a.yml", "province: [51\nperiod: 2021-H1\n", None, "YAML không hợp lệ"),
    "duplicate_key": ("meetings/a.yml", MEETING + "province: \"15\"\n", None, "lặp lại"),
    "not_a_mapping": ("meetings/a.yml", "- 51\n- 2021-H1\n", None, "khoá: giá trị"),
    "public_not_a_bool": ("batches/b.yml", BATCH + "public: có\n", "public", "true hoặc false"),
    "python_tag": ("meetings/a.yml", "province: !!python/object/apply:os.system [ls]\n", None, "không được phép"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_params_file_gives_one_message_naming_file_and_field(tmp_path, case):
    name, text, field, expected = BROKEN[case]
    path = write(tmp_path / "params", name, text)
    with pytest.raises(ParamsError) as caught:
        load(path, REGISTRY)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    message = problems[0]
    assert message.startswith(str(path) + ":") or message.startswith(name)
    assert Path(name).name in message and expected in message
    if field is not None:
        assert f":{field}: " in message


def test_an_alias_bomb_is_refused_at_the_first_alias_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path = write(tmp_path / "params/meetings", "bomb.yml", "\n".join(lines) + "\n")
    started = time.monotonic()
    with pytest.raises(ParamsError) as caught:
        load(path, REGISTRY)
    assert time.monotonic() - started < 2
    assert caught.value.problems == [f"{path}:1: không dùng neo (&) và bí danh (*) của YAML trong tệp tham số: "
                                     f"hãy viết rõ từng giá trị"]


def test_an_oversized_file_is_refused_before_parsing(tmp_path):
    path = write(tmp_path / "params/batches", "big.yml", BATCH + "# " + "x" * 300_000 + "\n")
    with pytest.raises(ParamsError, match="256 KiB"):
        load(path, REGISTRY)


def test_every_problem_of_every_file_is_reported_together(tmp_path):
    a = write(tmp_path / "params", "meetings/a.yml", MEETING.replace('"51"', '"99"'))
    b = write(tmp_path / "params", "batches/b.yml", BATCH.replace("langs: [vi]", "langs: [vi, fr]"))
    with pytest.raises(ParamsError) as caught:
        load_many([a, b, tmp_path / "missing.yml"], REGISTRY)
    problems = caught.value.problems
    assert len(problems) == 3
    assert any("a.yml:1:province" in p for p in problems) and any("b.yml:4:langs[1]" in p for p in problems)
    assert any("missing.yml" in p and "không tìm thấy" in p for p in problems)


@pytest.mark.parametrize("case", ["unknown_province", "path_in_province", "malformed_yaml", "unknown_notebook"])
def test_nothing_runs_when_params_are_broken(tmp_path, monkeypatch, case):
    root = project(tmp_path)
    name, text, _, _ = BROKEN[case]
    path = write(root / "params", name, text)

    def must_not_run(*args, **kwargs):
        raise AssertionError("a job ran")

    monkeypatch.setattr(build_module.execute, "run", must_not_run)
    with pytest.raises(ParamsError):
        build_module.build(build_module.BuildOptions([path], data_dir=root / "data", notebooks_dir=root / "notebooks",
                           build_dir=root / "_build", render=False, progress=False))
    assert not (root / "_build").exists()


# --- expansion --------------------------------------------------------------------------------------

def test_a_batch_expands_to_every_province_and_period_with_data(tmp_path):
    root = project(tmp_path)
    jobs = expand_files([root / "params" / "batches" / "test.yml"], root / "data")
    assert [(j.notebook, j.page) for j in jobs] == [
        ("briefing", "briefings/2020-9M/15-yen-bai"),
        ("briefing", "briefings/2020-H1/51-quang-ngai"),
        ("briefing", "briefings/2021-H1/15-yen-bai"),
        ("briefing", "briefings/2021-H1/51-quang-ngai"),
        ("province", "provinces/15-yen-bai"),
        ("province", "provinces/51-quang-ngai"),
        ("period", "periods/2013-FY"),  # its only report names no province: a period page, no province page
        ("period", "periods/2020-9M"),
        ("period", "periods/2020-H1"),
        ("period", "periods/2021-H1"),
    ]
    by_page = {j.page: j for j in jobs}
    assert by_page["briefings/2021-H1/51-quang-ngai"].params == {
        "province": "51", "period": "2021-H1", "lang": "vi", "meeting_type": "so_ket", "meeting_date": "2021-07-23"}
    assert by_page["briefings/2021-H1/51-quang-ngai"].title == "Quảng Ngãi — 6 tháng đầu năm 2021"
    assert by_page["briefings/2020-9M/15-yen-bai"].meeting() is None  # the report names no meeting
    # Yên Bái's code 15 is Lào Cai's since 2025-07-01: the page says which unit (its last day)
    assert by_page["provinces/15-yen-bai"].params == {"province": "15", "on": "2025-06-30", "lang": "vi"}
    assert by_page["periods/2013-FY"].params == {"period": "2013-FY", "lang": "vi"}


def test_one_province_with_all_its_periods_in_two_languages(tmp_path):
    root = project(tmp_path)
    path = write(root / "params", "batches/yb.yml",
                 "provinces: [Yên Bái]\nperiods: all-with-data\nnotebooks: [briefing, period]\nlangs: [vi, en]\n")
    pages = [j.page for j in expand_files([path], root / "data")]
    assert pages == ["briefings/2020-9M/15-yen-bai", "briefings/2021-H1/15-yen-bai",
                     "en/briefings/2020-9M/15-yen-bai", "en/briefings/2021-H1/15-yen-bai",
                     "en/periods/2020-9M", "en/periods/2021-H1", "periods/2020-9M", "periods/2021-H1"]


def test_every_province_for_one_period_keeps_only_provinces_with_a_report(tmp_path):
    root = project(tmp_path)
    path = write(root / "params", "batches/h1.yml",
                 "provinces: all\nperiods: [2020-H1]\nnotebooks: [briefing]\nlangs: [vi]\n")
    assert [j.page for j in expand_files([path], root / "data")] == ["briefings/2020-H1/51-quang-ngai"]


def test_explicit_provinces_and_periods_give_the_whole_product(tmp_path):
    root = project(tmp_path)
    path = write(root / "params", "batches/x.yml",
                 "provinces: [\"51\", Thanh Hoá]\nperiods: [2020-H1, 2019-FY]\nnotebooks: [briefing]\nlangs: [vi]\n")
    assert sorted(j.page for j in expand_files([path], root / "data")) == [
        "briefings/2019-FY/38-thanh-hoa", "briefings/2019-FY/51-quang-ngai",
        "briefings/2020-H1/38-thanh-hoa", "briefings/2020-H1/51-quang-ngai"]


def test_a_province_given_by_name_is_resolved_to_its_code_in_its_period(tmp_path):
    root = project(tmp_path)
    meeting = write(root / "params", "meetings/qn.yml", MEETING.replace('"51"', "tỉnh Quảng Ngãi"))
    old = write(root / "params", "meetings/lc-old.yml",
                MEETING.replace('"51"', "Lào Cai").replace("2021-07-23", "null"))
    new = write(root / "params", "meetings/lc-new.yml",
                MEETING.replace('"51"', "Lào Cai").replace("2021-H1", "2025-H2").replace("2021-07-23", "null"))
    jobs = {j.origins[0]: j for j in expand_files([meeting, old, new], root / "data")}
    assert jobs[str(meeting)].params["province"] == "51"
    assert jobs[str(meeting)].page == "briefings/2021-H1/51-quang-ngai"
    assert jobs[str(old)].params["province"] == "10"  # Lào Cai before 1 July 2025
    assert jobs[str(new)].params["province"] == "15"  # the new Lào Cai (Lào Cai + Yên Bái) took code 15
    assert jobs[str(new)].page == "briefings/2025-H2/15-lao-cai"


def test_a_meeting_that_disagrees_with_a_batch_on_the_same_page_is_refused(tmp_path):
    root = project(tmp_path)
    meeting = write(root / "params", "meetings/qn.yml", MEETING.replace("2021-07-23", "2021-07-30"))
    with pytest.raises(ParamsError, match=r"briefings/2021-H1/51-quang-ngai.*meeting_date"):
        expand_files([root / "params" / "batches" / "test.yml", meeting], root / "data")


# --- a public batch: the profile of the public site ----------------------------------------------------

def test_the_public_batch_of_the_project_asks_for_a_public_build_and_all_yml_does_not():
    public = load(paths.PARAMS / "batches" / "public.yml", REGISTRY)
    everything = load(paths.PARAMS / "batches" / "all.yml", REGISTRY)
    assert public.public and not everything.public
    assert public_build([public]) and not public_build([everything])
    assert (public.provinces, public.periods, public.notebooks, public.langs) == \
        (everything.provinces, everything.periods, everything.notebooks, everything.langs)


def test_a_public_batch_built_with_one_that_is_not_is_refused_naming_both(tmp_path):
    public = write(tmp_path / "params", "batches/public.yml", BATCH + "public: true\n")
    other = write(tmp_path / "params", "batches/all.yml", BATCH)
    meeting = write(tmp_path / "params", "meetings/a.yml", MEETING)
    for files in ([public, other], [public, meeting]):
        with pytest.raises(ParamsError) as caught:
            public_build(load_many(files, REGISTRY))
        (message,) = caught.value.problems
        assert "public.yml" in message and files[1].name in message and "--public" in message


def test_a_build_of_a_public_batch_reads_only_the_public_data(tmp_path):
    root = project(tmp_path)
    data = root / "data"
    reports = (data / "reports.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    internal = reports[1].split(",")[0]  # one report marked internal
    (data / "reports.csv").write_text("".join([reports[0], reports[1].replace(",public\n", ",internal\n"),
                                               *reports[2:]]), encoding="utf-8")
    batch = write(root / "params", "batches/public.yml",
                  (root / "params" / "batches" / "test.yml").read_text(encoding="utf-8") + "public: true\n")
    result = build_module.build(build_module.BuildOptions([batch], workers=2, data_dir=data, notebooks_dir=root / "notebooks",
                                build_dir=root / "_build", render=False, progress=False, echo=lambda line: None))
    assert result.exit_code == 0
    manifest = json.loads((root / "_build" / "executed-public" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generated_from"]["visibility"] == "public"
    assert not (root / "_build" / "executed").exists()
    pages = {entry["page"] for entry in manifest["jobs"]}
    assert internal == "quang-ngai-2020-h1" and "briefings/2020-H1/51-quang-ngai" not in pages
    assert "briefings/2021-H1/51-quang-ngai" in pages

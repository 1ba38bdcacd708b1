"""Bad input gets a clear error and changes nothing (docs/bad-input.md is the table of these cases).

Every input the project reads (data CSVs, source texts, the indicator catalogue, the lexicon, the province
lists, params YAML, review sheets and entry forms, report texts, `_quarto.yml`, the notebooks, the output
folder), broken in the ways it comes broken, is fed to the command a user runs (`giaoban validate`,
`extract`, `ingest`, `accept`, `form`, `build`) through typer's CliRunner on a copy of the project. Each
case asserts the exit code, the message (which file, where, what was expected), that no exception escaped
(no traceback), and that no byte of the project changed (data/, the previous site, _build/, outputs). A few
cases run again as a real subprocess, whose standard error must hold no "Traceback".

`CASES` is the list; `docs/bad-input.md` is generated from it in spirit (a test checks that every case id
is in the table, and that the table has no case the tests lack).
"""

from __future__ import annotations

import codecs
import io
import json
import os
import shutil
import subprocess
import sys
import traceback
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from typer.testing import CliRunner

from giaoban import paths
from giaoban.reading import review
from giaoban.cli import app

from review_sheets import accept_all, headers  # tests/review_sheets.py
from vietnamese_encodings import cp1258  # tests/vietnamese_encodings.py

REPORT = "004_827c2f16ec2dc701.txt"
REPORT_ID = "quang-ngai-2021-h1"
MEETING = "params/meetings/51-quang-ngai-2021-H1.yml"
TABLES = ("reports", "observations", "focus_tasks", "legal_refs")
DOC = paths.ROOT / "docs" / "bad-input.md"

# Legacy Vietnamese encodings, as real files have them: the national motto every official document
# starts with, in TCVN3 (ABC, .VnTime fonts) and in VNI Windows (VNI-Times fonts).
TCVN3 = ("Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\n").encode("latin-1")
VNI = ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\n").encode("cp1252")




# ----------------------------------------------------------------------------------- the project copies

def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by relative path, with its bytes (what 'nothing changed' compares)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("data", "notebooks", "params"):
        shutil.copytree(paths.ROOT / name, target / name)
    for name in ("_quarto.yml", "requirements.lock"):
        shutil.copy(paths.ROOT / name, target / name)
    # a site from an earlier build, which a refused build must leave as it is
    site = target / "_site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>giaoban</title>\n", encoding="utf-8")
    (site / "assets" / "giaoban.css").write_text("body{}\n", encoding="utf-8")
    (site / ".giaoban-site").write_text("giaoban\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, Path]:
    """The two starting projects: `full` (the project's data as they are) and `review` (without report
    004's rows, with its review sheet and an entry form written by the real commands)."""
    folder = tmp_path_factory.mktemp("bad-input")
    full = _copy_project(folder / "full")
    rev = _copy_project(folder / "review")
    for table in TABLES:
        path = rev / "data" / f"{table}.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not line.startswith(REPORT_ID + ",")), encoding="utf-8")
    review.write_review(rev / "data" / "sources" / REPORT, rev / "review.xlsx", rev / "data")
    from giaoban.reading.form import write_form

    write_form("51", "2021-H1", rev / "form.xlsx", rev / "data", meeting_type="sơ kết", meeting_date="23/07/2021")
    return {"full": full, "review": rev}


@pytest.fixture
def project(bases, tmp_path, monkeypatch):
    """Returns a function: a private copy of one base project, made the current project (paths, cwd)."""
    def make(base: str) -> Path:
        root = tmp_path / "project"
        shutil.copytree(bases[base], root)
        monkeypatch.chdir(root)
        monkeypatch.setenv("GIAOBAN_ROOT", str(root))
        monkeypatch.delenv("GIAOBAN_DATA", raising=False)
        monkeypatch.delenv("GIAOBAN_VISIBILITY", raising=False)
        assert paths.ROOT == root.resolve()  # paths are read from $GIAOBAN_ROOT when used
        return root
    return make


# ----------------------------------------------------------------------------------- editing helpers

def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(root: Path, rel: str, data: bytes | str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def recode(rel: str, how: Callable[[str], bytes]) -> Callable[[Path], None]:
    return lambda root: write(root, rel, how((root / rel).read_text(encoding="utf-8")))


def cut_in_char(rel: str) -> Callable[[Path], None]:
    """Cut the file in the middle of its last multi-byte character (a download that stopped)."""
    def setup(root: Path) -> None:
        data = (root / rel).read_bytes()
        last = max(i for i, b in enumerate(data) if b >= 0xC0)  # the first byte of a multi-byte character
        write(root, rel, data[:last + 1])
    return setup


def cut_lines(rel: str, lines: int, keep: float) -> Callable[[Path], None]:
    """Keep `lines` whole lines and the first `keep` share of the next one (a truncated copy)."""
    def setup(root: Path) -> None:
        text = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        write(root, rel, "".join(text[:lines]) + text[lines][: int(len(text[lines]) * keep)])
    return setup


def replace_line(rel: str, start: str, fn: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    """Rewrite, with `fn`, the CSV fields of the first line of `rel` that starts with `start`."""
    import csv

    def setup(root: Path) -> None:
        lines = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        i = next(i for i, line in enumerate(lines) if line.startswith(start))
        fields = next(csv.reader([lines[i]]))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(fn(fields))
        lines[i] = buffer.getvalue()
        write(root, rel, "".join(lines))
    return setup


def set_field(rel: str, start: str, column: str, value: str) -> Callable[[Path], None]:
    import csv

    def setup(root: Path) -> None:
        header = next(csv.reader([(root / rel).read_text(encoding="utf-8").splitlines()[0]]))
        at = header.index(column)
        replace_line(rel, start, lambda f: f[:at] + [value] + f[at + 1:])(root)
    return setup


def duplicate_line(rel: str, start: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        lines = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        i = next(i for i, line in enumerate(lines) if line.startswith(start))
        write(root, rel, "".join(lines[:i + 1] + [lines[i]] + lines[i + 1:]))
    return setup


def both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        for s in setups:
            s(root)
    return setup


# --- workbooks

def sheet_edit(name: str, fn: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    """Open the workbook `name` as an analyst would (openpyxl), decide every row `nhận`, apply `fn`, save."""
    def setup(root: Path) -> None:
        path = root / name
        wb = openpyxl.load_workbook(path)
        if name == "review.xlsx":
            accept_all(wb)
        fn(wb)
        wb.save(path)
    return setup


def figure_row(ws, indicator: str) -> int:
    h = headers(ws)
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, h["Chỉ tiêu"]).value
        if cell and str(cell).split(" — ")[0] == indicator:
            return r
    raise AssertionError(indicator)


def set_cell(sheet: str, row: int | str, header: str, value: object, decision: str | None = "sửa"):
    def fn(wb) -> None:
        ws = wb[sheet]
        h = headers(ws)
        r = figure_row(ws, row) if isinstance(row, str) else row
        if decision and "Quyết định" in h:
            ws.cell(r, h["Quyết định"]).value = decision
        ws.cell(r, h[header]).value = value
    return fn


def both_fn(*fns):
    def fn(wb) -> None:
        for f in fns:
            f(wb)
    return fn


def set_meta(label: str, value: object):
    def fn(wb) -> None:
        ws = wb[review.REPORT_SHEET]
        for r in range(2, ws.max_row + 1):
            if str(ws.cell(r, 1).value).removesuffix(" *") == label:
                ws.cell(r, 2).value = value
                return
        raise AssertionError(label)
    return fn


def form_figure(code: str, value: object, quote: str):
    def fn(wb) -> None:
        ws = wb["Số liệu"]
        h = headers(ws)
        column = h["Mã chỉ tiêu"]
        r = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, column).value == code)
        ws.cell(r, h["Giá trị"]).value = value
        ws.cell(r, h["Trích dẫn"]).value = quote
        ws.cell(r, h["Trang, dòng"]).value = "tr. 3, dòng 12"
        set_meta("Tiêu đề", "Báo cáo sơ kết 6 tháng đầu năm 2021")(wb)
        set_meta("Nguồn bản giấy", "Báo cáo số 215/BC-SKHCN, bản giấy lưu tại Văn phòng Sở")(wb)
    return fn


def zip_bomb(root: Path) -> None:
    """A review sheet whose parts unzip to more than the limit (a few hundred KB on disk)."""
    path = root / "review.xlsx"
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (201 * 1024 * 1024))


# --- YAML

ANCHOR_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + "".join(
    f"{chr(99 + i)}: &{chr(99 + i)} [{', '.join(['*' + chr(98 + i)] * 9)}]\n" for i in range(7))


def symlink(root: Path, rel: str, target: str) -> None:
    """A symbolic link at `rel` of the project to `target` (outside it)."""
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).symlink_to(target)


def quarto_with(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root, "_quarto.yml", old, new)


# ----------------------------------------------------------------------------------- the cases

@dataclass(frozen=True)
class Case:
    """One input broken one way: `args` of the command, `setup` of the project copy (`base`), the exit
    `code`, and the fragments the output must hold (`expect`: the file, the place, what was expected)."""

    id: str
    input: str
    brk: str
    args: tuple[str, ...]
    setup: Callable[[Path], None]
    expect: tuple[str, ...]
    code: int = 1
    base: str = "full"
    absent: tuple[str, ...] = ()                       # paths that must not exist afterwards
    same_as: tuple[str, ...] | None = None            # the output must equal this command's output
    subprocess: bool = False                          # also run as a real process


OBS = "data/observations.csv"
REP = "data/reports.csv"
IND = "data/reference/indicators.csv"
SRC = f"data/sources/{REPORT}"
LEX = "data/reference/lexicon.csv"
UNITS = "data/reference/lexicon_units.csv"
P63 = "data/reference/provinces_63.csv"
BUILD = ("build", MEETING, "--jobs", "1", "--renderer", "builtin")
BAD_YML = "params/meetings/bad.yml"
BUILD_BAD = ("build", BAD_YML, "--jobs", "1", "--renderer", "builtin")
MEETING_YML = ('province: "51"\nperiod: 2021-H1\nmeeting:\n  type: sơ kết\n  date: 2021-07-23\nlang: vi\n')
EXTRACT = ("extract", "report.txt")
REPORT_TEXT = (paths.SOURCES / REPORT).read_text(encoding="utf-8")


def semicolons(text: str) -> str:
    """The CSV `text` as Excel saves it under Vietnamese regional settings: `;` between cells, CRLF."""
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(csv.reader(io.StringIO(text, newline="")))
    return out.getvalue()


def report_file(data: bytes | str) -> Callable[[Path], None]:
    return lambda root: write(root, "report.txt", data)


CASES = [
    # --- the data tables (data/*.csv), through `giaoban validate` and `giaoban build`
    Case("csv-windows-1258", "data CSV", "wrong encoding (Windows-1258)", ("validate",), recode(OBS, cp1258),
         (f"{OBS}:2: tệp không phải UTF-8 (có vẻ là Windows-1258", "CSV UTF-8"), subprocess=True),
    Case("csv-bom", "data CSV", "byte-order mark", ("validate",),
         lambda r: write(r, REP, codecs.BOM_UTF8 + (r / REP).read_bytes()),
         (f"{REP}:1: cảnh báo: tệp bắt đầu bằng BOM", "dữ liệu hợp lệ"), code=0),
    Case("csv-semicolons", "data CSV", "cells separated by `;` (Excel's “CSV” with Vietnamese regional settings)",
         ("validate",), lambda r: write(r, OBS, semicolons((r / OBS).read_text(encoding="utf-8"))),
         (f"{OBS}:1: các ô ngăn cách bằng dấu chấm phẩy “;”", "CSV UTF-8"), subprocess=True),
    Case("csv-truncated-row", "data CSV", "truncated (cut in a row)", ("validate",), cut_lines(OBS, 8, 0.3),
         (f"{OBS}:9: tệp kết thúc giữa một ô mở bằng dấu ngoặc kép", "tệp bị cắt cụt")),
    Case("csv-truncated-character", "data CSV", "truncated (cut in a character)", ("validate",),
         cut_in_char(REP), (f"{REP}:", "tệp bị cắt cụt: dừng giữa một ký tự UTF-8")),
    Case("csv-empty", "data CSV", "empty file", ("validate",), lambda r: write(r, REP, b""),
         (f"{REP}:1: tệp trống: cần dòng tiêu đề report_id,province,period",)),
    Case("csv-wrong-column", "data CSV", "wrong column", ("validate",),
         lambda r: edit(r, OBS, "report_id,indicator,", "report_id,indicater,"),
         (f"{OBS}:1:indicater: cột thừa “indicater”", f"{OBS}:1:indicator: thiếu cột “indicator”")),
    Case("csv-misspelt-column", "data CSV", "misspelt column", ("validate",),
         lambda r: edit(r, OBS, ",value,", ",Value,"), (f"{OBS}:1:Value: tên cột “Value” sai: cần viết đúng “value”",)),
    Case("csv-duplicate-report", "data CSV", "duplicated key (report_id)", ("validate",),
         duplicate_line(REP, "quang-ngai-2021-h1,"), (f"{REP}:7:report_id: ", "quang-ngai-2021-h1", "dòng 6")),
    Case("csv-duplicate-figure", "data CSV", "duplicated key (figure)", ("validate",),
         duplicate_line(OBS, "quang-ngai-2021-h1,standards.samples_tested,"), (f"{OBS}:", "trùng với dòng")),
    Case("csv-enormous-number", "data CSV", "enormous value (400 digits)", ("validate",),
         set_field(OBS, "quang-ngai-2021-h1,standards.samples_tested,", "value", "9" * 400),
         (f":value: số “99999999999999999999…” quá lớn (400 chữ số", "tối đa 15 chữ số")),
    Case("csv-enormous-cell", "data CSV", "enormous cell (200 000 characters)", ("validate",),
         set_field(OBS, "quang-ngai-2021-h1,standards.samples_tested,", "note", "x" * 200_000),
         (f"{OBS}:", "một ô dài hơn 131.072 ký tự")),
    Case("csv-long-text", "data CSV", "enormous text (20 000 characters)", ("validate",),
         set_field(OBS, "quang-ngai-2021-h1,standards.samples_tested,", "note", "x" * 20_000),
         (":note: ô dài 20000 ký tự, quá giới hạn 10000 ký tự",)),
    Case("csv-formula", "data CSV", "formula in a cell", ("validate",),
         set_field(OBS, "quang-ngai-2021-h1,standards.samples_tested,", "note", '=HYPERLINK("http://x","y")'),
         (":note: ô bắt đầu bằng “=”: Excel sẽ coi là công thức",)),
    Case("csv-formula-plus", "data CSV", "formula in a cell (starting with +)", ("validate",),
         set_field(OBS, "quang-ngai-2021-h1,standards.samples_tested,", "note", "+1+cmd|' /C calc'!A0"),
         (":note: ô bắt đầu bằng “+”: Excel sẽ coi là công thức",)),
    Case("csv-formula-minus", "data CSV", "formula in a cell (starting with -)", ("validate",),
         set_field(OBS, "quang-ngai-2021-h1,standards.samples_tested,", "note", "-2+3+cmd|' /C calc'!A0"),
         (":note: ô bắt đầu bằng “-”: Excel sẽ coi là công thức",)),
    Case("csv-formula-tab", "data CSV", "formula in a cell (starting with a tab)", ("validate",),
         set_field(OBS, "quang-ngai-2021-h1,standards.samples_tested,", "note", "\t=1+1"),
         (":note: ô bắt đầu bằng dấu tab: Excel sẽ coi là công thức",)),
    Case("csv-formula-carriage-return", "data CSV", "formula in a cell (starting with a carriage return)",
         ("validate",), lambda r: edit(r, OBS, "thực hiện thử nghiệm 271 mẫu các loại,public,\n",  # quoted: one cell
                                       'thực hiện thử nghiệm 271 mẫu các loại,public,"\r=1+1"\n'),
         (":note: ô bắt đầu bằng dấu xuống dòng (CR): Excel sẽ coi là công thức",)),
    Case("csv-source-file-escapes", "data CSV", "path leaving the project (source_file)", ("validate",),
         set_field(REP, "quang-ngai-2021-h1,", "source_file", "../../etc/passwd"),
         (f"{REP}:6:source_file: “../../etc/passwd” không hợp lệ: cần tên tệp trong sources/",)),
    Case("csv-visibility", "data CSV", "unknown visibility", ("validate",),
         set_field(REP, "quang-ngai-2021-h1,", "visibility", "secret"),
         (f"{REP}:6:visibility: “secret” không hợp lệ: cần một trong public, internal",)),
    Case("csv-in-build", "data CSV", "wrong encoding, at build time", BUILD, recode(OBS, cp1258),
         (f"{OBS}:2: tệp không phải UTF-8", "dữ liệu chưa hợp lệ, không dựng gì"), subprocess=True),

    # --- the source texts (data/sources/*.txt)
    Case("source-windows-1258", "source text", "wrong encoding (Windows-1258)", ("validate",), recode(SRC, cp1258),
         (f"{SRC}:", "tệp không phải UTF-8 (có vẻ là Windows-1258")),
    Case("source-tcvn3", "source text", "legacy encoding TCVN3 (ABC)", ("validate",),
         lambda r: write(r, SRC, TCVN3 + (r / SRC).read_bytes()[:0] + b"So KH&CN tinh Quang Ngai\n"),
         (f"{SRC}:", "có vẻ là TCVN3 (ABC")),
    Case("source-vni", "source text", "legacy encoding VNI", ("validate",),
         lambda r: write(r, SRC, VNI + b"So KH&CN tinh Quang Ngai\n"), (f"{SRC}:", "có vẻ là VNI Windows")),
    Case("source-tcvn3-as-utf8", "source text", "TCVN3 text saved as UTF-8 (mojibake)", ("validate",),
         lambda r: write(r, SRC, TCVN3.decode("latin-1") + "Së KH&CN tØnh Qu¶ng Ng·i\n"),
         (f"{SRC}: văn bản được gõ bằng bảng mã TCVN3", "UniKey")),
    Case("source-empty", "source text", "empty file", ("validate",), lambda r: write(r, SRC, b""),
         (f"{SRC}: văn bản nguồn trống",)),
    Case("source-binary", "source text", "binary file (PDF)", ("validate",),
         lambda r: write(r, SRC, b"%PDF-1.7\n\x00\x01binary"), (f"{SRC}:2: tệp nhị phân",)),
    Case("source-truncated", "source text", "truncated", ("validate",), cut_lines(SRC, 5, 0.5),
         (f"{OBS}:", ":quote: trích dẫn không có nguyên văn trong văn bản nguồn")),

    # --- the indicator catalogue (data/reference/indicators.csv, areas.csv)
    Case("catalogue-windows-1258", "indicator catalogue", "wrong encoding (Windows-1258)", ("validate",),
         recode(IND, cp1258), (f"{IND}:2: tệp không phải UTF-8 (có vẻ là Windows-1258",)),
    Case("catalogue-duplicate-code", "indicator catalogue", "duplicated key (code)", ("validate",),
         duplicate_line(IND, "standards.samples_tested,"), (f"{IND}:", ":code: ", "trùng")),
    Case("catalogue-missing-column", "indicator catalogue", "wrong column (missing)", ("validate",),
         lambda r: edit(r, IND, ",value_type,", ",kind,"), (f"{IND}:1:kind: cột thừa “kind”",
                                                           f"{IND}:1:value_type: thiếu cột “value_type”")),
    Case("catalogue-empty", "indicator catalogue", "empty file", ("validate",), lambda r: write(r, IND, b""),
         (f"{IND}:1: tệp trống: cần dòng tiêu đề code,area",)),
    Case("catalogue-enormous-number", "indicator catalogue", "enormous value (max_value)", ("validate",),
         set_field(IND, "standards.iso_communes_percent,", "max_value", "1" + "0" * 30),
         (f"{IND}:", ":max_value: số “10000000000000000000…” quá lớn (31 chữ số")),

    # --- the lexicon (data/reference/lexicon.csv, lexicon_units.csv), read by extract and ingest
    Case("lexicon-windows-1258", "lexicon", "wrong encoding (Windows-1258)", ("extract", SRC), recode(LEX, cp1258),
         ("lexicon.csv: tệp không phải UTF-8 (byte",), code=2),
    Case("lexicon-wrong-header", "lexicon", "wrong column", ("extract", SRC),
         lambda r: edit(r, LEX, "indicator,priority,", "indicater,priority,"),
         ("lexicon.csv:1: tiêu đề phải là indicator,priority,unit",), code=2),
    Case("lexicon-duplicate-unit", "lexicon", "duplicated key (unit)", ("extract", SRC),
         lambda r: write(r, UNITS, (r / UNITS).read_text(encoding="utf-8") + "phương tiện đo,,count,\n"),
         ("lexicon_units.csv:", ":unit: đơn vị “phương tiện đo” đã có ở dòng trước",), code=2),
    Case("lexicon-empty", "lexicon", "empty file", ("extract", SRC), lambda r: write(r, LEX, b""),
         ("lexicon.csv:1: tiêu đề phải là",), code=2),
    Case("lexicon-unknown-indicator", "lexicon", "unknown code", ("extract", SRC),
         lambda r: write(r, LEX, (r / LEX).read_text(encoding="utf-8") + "science.nothing,1,x,,,,,,\n"),
         ("lexicon.csv:", ":indicator: chỉ tiêu “science.nothing” không có trong indicators.csv",), code=2),
    Case("lexicon-truncated", "lexicon", "truncated (cut in a row)", ("extract", SRC), cut_lines(LEX, 6, 0.2),
         ("lexicon.csv:7: dòng có",), code=2),

    # --- the province lists (data/reference/provinces_*.csv)
    Case("provinces-truncated", "province lists", "truncated", ("validate",), cut_lines(P63, 30, 0.0),
         ("provinces_63.csv", "63")),
    Case("provinces-duplicate", "province lists", "duplicated key (code)", ("validate",),
         duplicate_line(P63, "51,"), ("provinces_63.csv",)),

    # --- params YAML (params/*.yml), through `giaoban build`
    Case("params-windows-1258", "params YAML", "wrong encoding (Windows-1258)", BUILD_BAD,
         lambda r: write(r, BAD_YML, cp1258(MEETING_YML)), (f"{BAD_YML}:4: tệp không phải UTF-8 (byte 49)",), code=2,
         absent=("_build",), subprocess=True),
    Case("params-bom", "params YAML", "byte-order mark (read; the line numbers stay right)", BUILD_BAD,
         lambda r: write(r, BAD_YML, codecs.BOM_UTF8 + MEETING_YML.replace("period:", "perod:").encode()),
         (f"{BAD_YML}:2:perod: trường không được hỗ trợ",), code=2, absent=("_build",)),
    Case("params-truncated", "params YAML", "truncated", BUILD_BAD,
         lambda r: write(r, BAD_YML, 'province: "51"\nperiod: 2021-H1\nmeeting:\n  type: "sơ k'),
         (f"{BAD_YML}:4: YAML không hợp lệ",), code=2, absent=("_build",)),
    Case("params-empty", "params YAML", "empty file", BUILD_BAD, lambda r: write(r, BAD_YML, b""),
         (f"{BAD_YML}:1: tệp tham số trống",), code=2, absent=("_build",)),
    Case("params-unknown-field", "params YAML", "wrong field", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML + "provnce: 51\n"),
         (f"{BAD_YML}:7:provnce: trường không được hỗ trợ (viết sai tên?)",), code=2, absent=("_build",)),
    Case("params-missing-key", "params YAML", "missing key (period)", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML.replace("period: 2021-H1\n", "")),
         (f"{BAD_YML}:1:period: thiếu trường bắt buộc: thêm một dòng như `period: 2021-H1`",), code=2,
         absent=("_build",)),
    Case("params-duplicate-key", "params YAML", "duplicated key", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML + "period: 2021-H2\n"),
         (f"{BAD_YML}:7: khoá 'period' lặp lại (đã có ở dòng 2)",), code=2, absent=("_build",)),
    Case("params-enormous-file", "params YAML", "enormous file (over 256 KiB)", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML + "#" * 300_000 + "\n"),
         (f"{BAD_YML}: tệp tham số lớn hơn 256 KiB",), code=2, absent=("_build",)),
    Case("params-enormous-value", "params YAML", "enormous value (timeout)", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML + "timeout: 99999999999\n"),
         (f"{BAD_YML}:7:timeout: cần nhỏ hơn hoặc bằng 86400",), code=2, absent=("_build",)),
    Case("params-anchor-bomb", "params YAML", "YAML anchor bomb", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML + ANCHOR_BOMB),
         (f"{BAD_YML}:7: không dùng neo (&) và bí danh (*) của YAML",), code=2, absent=("_build",)),
    Case("params-deeply-nested", "params YAML", "deeply nested YAML (5 000 levels)", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML + "extra: " + "[" * 5000 + "]" * 5000 + "\n"),
         (f"{BAD_YML}:7: YAML lồng quá sâu (hơn 20 tầng",), code=2, absent=("_build",), subprocess=True),
    Case("params-province-escapes", "params YAML", "path leaving the project (province)", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML.replace('"51"', '"../../etc/passwd"')),
         (f"{BAD_YML}:1:province: ", "../../etc/passwd"), code=2, absent=("_build",)),
    Case("params-wrong-value", "params YAML", "wrong value (language)", BUILD_BAD,
         lambda r: write(r, BAD_YML, MEETING_YML.replace("lang: vi", "lang: fr")),
         (f"{BAD_YML}:6:lang: cần một trong 'vi', 'en'",), code=2, absent=("_build",)),
    Case("params-missing", "params YAML", "missing file", ("build", "params/meetings/none.yml"), lambda r: None,
         ("params/meetings/none.yml: không tìm thấy tệp tham số",), code=2, absent=("_build",)),

    # --- review sheets (giaoban ingest → Excel → giaoban accept)
    Case("sheet-formula", "review sheet", "formula in a cell", ("accept", "review.xlsx", "--data", "data"),
         sheet_edit("review.xlsx", set_cell("Số liệu", 7, "Giá trị", "=SUM(D2:D6)", decision=None)),
         ("review.xlsx:Số liệu!7:Giá trị: ô ", "chứa công thức “=SUM(D2:D6)”"), base="review", subprocess=True),
    Case("sheet-truncated", "review sheet", "truncated file", ("accept", "review.xlsx", "--data", "data"),
         lambda r: write(r, "review.xlsx", (r / "review.xlsx").read_bytes()[:5000]),
         ("review.xlsx: không đọc được: không phải tệp .xlsx hợp lệ",), code=2, base="review"),
    Case("sheet-empty", "review sheet", "empty file", ("accept", "review.xlsx", "--data", "data"),
         lambda r: write(r, "review.xlsx", b""), ("review.xlsx: không đọc được",), code=2, base="review"),
    Case("sheet-foreign", "review sheet", "wrong workbook (not giaoban's)", ("accept", "other.xlsx", "--data", "data"),
         lambda r: openpyxl.Workbook().save(r / "other.xlsx"),
         ("other.xlsx: không phải bảng tính do giaoban tạo",), base="review"),
    Case("sheet-wrong-column", "review sheet", "wrong column (header renamed)", ("accept", "review.xlsx", "--data", "data"),
         sheet_edit("review.xlsx", lambda wb: setattr(wb["Số liệu"].cell(1, headers(wb["Số liệu"])["Giá trị"]),
                                                      "value", "Gia tri")),
         ("review.xlsx:Số liệu!1:Giá trị: thiếu cột",), base="review"),
    Case("sheet-enormous-text", "review sheet", "enormous value (text)", ("accept", "review.xlsx", "--data", "data"),
         sheet_edit("review.xlsx", set_cell("Số liệu", 4, "Sửa trích dẫn", "x" * 12_000)),
         ("review.xlsx:Số liệu!4:Sửa trích dẫn: ", "12000 ký tự"), base="review"),
    Case("sheet-enormous-number", "review sheet", "enormous value (number)", ("accept", "review.xlsx", "--data", "data"),
         sheet_edit("review.xlsx", set_cell("Số liệu", 4, "Sửa giá trị", 10 ** 20)),
         ("review.xlsx:Số liệu!4:Sửa giá trị: số 1e+20 quá lớn",), base="review"),
    Case("sheet-duplicate-figure", "review sheet", "duplicated key (figure)", ("accept", "review.xlsx", "--data", "data"),
         sheet_edit("review.xlsx", set_cell("Số liệu", "science.tasks_carried_over", "Sửa chỉ tiêu",
                                            "science.tasks_managed")),
         ("review.xlsx:Số liệu!", ":Sửa chỉ tiêu: số liệu trùng với dòng"), base="review"),
    Case("sheet-source-file-escapes", "review sheet", "path leaving the project (source file)",
         ("accept", "review.xlsx", "--data", "data"),
         sheet_edit("review.xlsx", set_meta("Tệp văn bản nguồn", "../../etc/passwd")),
         ("review.xlsx:Báo cáo!", ":Tệp văn bản nguồn: tên tệp “../../etc/passwd” không hợp lệ"), base="review",
         absent=("../../etc/passwd",)),
    Case("sheet-zip-bomb", "review sheet", "zip bomb (unzips to 200 MB)", ("accept", "review.xlsx", "--data", "data"),
         zip_bomb, ("review.xlsx: tệp giải nén ra", "quá giới hạn"), code=2, base="review"),
    Case("sheet-not-xlsx", "review sheet", "wrong file type", ("accept", "data/reports.csv", "--data", "data"),
         lambda r: None, ("data/reports.csv: cần bảng tính Excel .xlsx",), code=2, base="review"),

    # --- entry forms (giaoban form → Excel → giaoban accept)
    Case("form-formula", "entry form", "formula in a cell", ("accept", "form.xlsx", "--data", "data"),
         sheet_edit("form.xlsx", form_figure("standards.instruments_verified", "=1000+287",
                                             "đã kiểm định 1.287 phương tiện đo")),
         ("form.xlsx:Số liệu!", ":Giá trị: ô ", "chứa công thức “=1000+287”"), base="review"),
    Case("form-report-id-escapes", "entry form", "path leaving the project (report id, which names the source text)",
         ("accept", "form.xlsx", "--data", "data"),
         sheet_edit("form.xlsx", both_fn(form_figure("standards.instruments_verified", 1287,
                                                     "đã kiểm định 1.287 phương tiện đo"),
                                         set_meta("Mã báo cáo", "../../../evil"))),
         ("form.xlsx:Báo cáo!2:Mã báo cáo: mã “../../../evil” không hợp lệ: cần chữ thường không dấu",), base="review",
         absent=("../../evil-giay.txt", "../evil-giay.txt")),
    Case("form-source-file-escapes", "entry form", "path leaving the project (source file)",
         ("accept", "form.xlsx", "--data", "data"),
         sheet_edit("form.xlsx", both_fn(form_figure("standards.instruments_verified", 1287,
                                                     "đã kiểm định 1.287 phương tiện đo"),
                                         set_meta("Tệp văn bản nguồn", "../evil.txt"))),
         ("form.xlsx:Báo cáo!10:Tệp văn bản nguồn: tên tệp “../evil.txt” không hợp lệ",), base="review",
         absent=("../evil.txt", "data/evil.txt")),
    Case("form-output-escapes", "entry form", "path leaving the project (output name)",
         ("form", "--province", "51", "--period", "2021-H1", "-o", "../../etc/passwd", "--data", "data"),
         lambda r: None, ("../../etc/passwd: phiếu nhập cần đuôi .xlsx",), code=2, absent=("../../etc/passwd",)),
    Case("form-province-escapes", "entry form", "path leaving the project (province)",
         ("form", "--province", "../../etc/passwd", "--period", "2021-H1", "-o", "form2.xlsx", "--data", "data"),
         lambda r: None, ("--province: ", "../../etc/passwd"), code=2, absent=("form2.xlsx",)),

    # --- report texts (giaoban extract / ingest)
    Case("report-windows-1258", "report text", "wrong encoding (Windows-1258): converted", EXTRACT,
         report_file(cp1258(REPORT_TEXT)), ("report.txt: tệp dùng bảng mã Windows-1258, đã chuyển sang UTF-8",),
         code=0, same_as=("extract", SRC)),
    Case("report-utf-16", "report text", "byte-order mark (UTF-16): converted", EXTRACT,
         report_file(REPORT_TEXT.encode("utf-16")), ("report.txt: tệp dùng bảng mã UTF-16",), code=0,
         same_as=("extract", SRC)),
    Case("report-bom", "report text", "byte-order mark (UTF-8): read", EXTRACT,
         report_file(codecs.BOM_UTF8 + REPORT_TEXT.encode()), (), code=0, same_as=("extract", SRC)),
    Case("report-decomposed", "report text", "decomposed Unicode (NFD): composed", EXTRACT,
         report_file(unicodedata.normalize("NFD", REPORT_TEXT)), (), code=0, same_as=("extract", SRC)),
    Case("report-tcvn3", "report text", "legacy encoding TCVN3 (ABC): refused", EXTRACT,
         report_file(TCVN3 + cp1258(REPORT_TEXT)[:0] + b"Ngay 23/07/2021\n"),
         ("report.txt: tệp dùng bảng mã TCVN3 (ABC, phông .VnTime), không phải UTF-8",
          "UniKey Toolkit (Công cụ chuyển mã: nguồn TCVN3, đích Unicode)"), code=2, subprocess=True),
    Case("report-vni", "report text", "legacy encoding VNI: refused", EXTRACT, report_file(VNI + b"Ngay 23/07/2021\n"),
         ("report.txt: tệp dùng bảng mã VNI Windows (phông VNI-Times)", "nguồn VNI Windows"), code=2),
    Case("report-tcvn3-as-utf8", "report text", "TCVN3 text saved as UTF-8 (mojibake): refused", EXTRACT,
         report_file(TCVN3.decode("latin-1") + "Ngày 23/07/2021\n"),
         ("report.txt: văn bản được gõ bằng bảng mã TCVN3", "Céng hoµ"), code=2),
    Case("report-truncated", "report text", "truncated (cut in a character)", EXTRACT,
         report_file(REPORT_TEXT.encode()[: REPORT_TEXT.encode().index("ệ".encode()) + 1]),
         ("report.txt: tệp bị cắt cụt: dừng giữa một ký tự UTF-8",), code=2),
    Case("report-empty", "report text", "empty file", EXTRACT, report_file(b"  \n"),
         ("report.txt: tệp trống",), code=2),
    Case("report-binary", "report text", "binary file (PDF)", EXTRACT, report_file(b"%PDF-1.4\n%\xe2\xe3\n"),
         ("report.txt: tệp PDF, không phải văn bản",), code=2),
    Case("report-enormous", "report text", "enormous file (6 MB)", EXTRACT, report_file(b"a" * (6 * 1024 * 1024)),
         ("report.txt: tệp lớn", "quá giới hạn 5 MB"), code=2),
    Case("report-missing", "report text", "missing file", ("extract", "none.txt"), lambda r: None,
         ("none.txt: không tìm thấy tệp",), code=2),
    Case("report-control-characters", "report text", "control characters", ("ingest", "report.txt", "-o", "r.xlsx"),
         report_file(REPORT_TEXT.replace("Sở", "S\x0bở", 1)), ("report.txt: văn bản chứa ký tự điều khiển U+000B",), code=2,
         absent=("r.xlsx",)),
    Case("ingest-output-escapes", "report text", "path leaving the project (output name)",
         ("ingest", SRC, "-o", "../../etc/passwd"), lambda r: None,
         ("../../etc/passwd: bảng xét duyệt cần đuôi .xlsx",), code=2, absent=("../../etc/passwd",)),

    # --- _quarto.yml, read by `giaoban build` before anything runs
    Case("quarto-truncated", "_quarto.yml", "truncated", BUILD,
         lambda r: write(r, "_quarto.yml", (r / "_quarto.yml").read_text(encoding="utf-8")[:1400] + '\n  x: "a'),
         ("_quarto.yml: dòng", "YAML không hợp lệ"), code=2, absent=("_build",)),
    Case("quarto-empty", "_quarto.yml", "empty file", BUILD, lambda r: write(r, "_quarto.yml", b""),
         ("_quarto.yml: cần một bảng YAML ở gốc", "tệp trống"), code=2, absent=("_build",)),
    Case("quarto-windows-1258", "_quarto.yml", "wrong encoding (Windows-1258)", BUILD,
         recode("_quarto.yml", cp1258), ("_quarto.yml: tệp không phải UTF-8",), code=2, absent=("_build",)),
    Case("quarto-anchor-bomb", "_quarto.yml", "YAML anchor bomb", BUILD,
         lambda r: write(r, "_quarto.yml", (r / "_quarto.yml").read_text(encoding="utf-8") + ANCHOR_BOMB),
         ("_quarto.yml: dòng", "không dùng neo (&) và bí danh (*)"), code=2, absent=("_build",)),
    Case("quarto-resources-escape", "_quarto.yml", "path leaving the project (resources)", BUILD,
         quarto_with("    - assets/\n", "    - assets/\n    - ../../etc/passwd\n"),
         ("_quarto.yml:project.resources[2]: đường dẫn '../../etc/passwd' ra ngoài dự án",), code=2,
         absent=("_build",), subprocess=True),
    Case("quarto-css-escape", "_quarto.yml", "path leaving the project (css)", BUILD,
         quarto_with("css: assets/giaoban.css", "css: /etc/passwd"),
         ("_quarto.yml:format.html.css[0]: đường dẫn '/etc/passwd' ra ngoài dự án",), code=2, absent=("_build",)),
    Case("quarto-resources-symlink", "_quarto.yml", "symbolic link leaving the project (resources)", BUILD,
         lambda r: (symlink(r, "notes/hostname", "/etc/hostname"),
                    quarto_with("    - assets/\n", "    - assets/\n    - notes/*\n")(r)),
         ("_quarto.yml:project.resources[2]: đường dẫn 'notes/*' có liên kết tượng trưng notes/hostname trỏ ra "
          "ngoài dự án (/etc/hostname)",), code=2, absent=("_build",), subprocess=True),
    Case("quarto-css-symlink", "_quarto.yml", "symbolic link leaving the project (css)", BUILD,
         lambda r: (symlink(r, "theme.css", "/etc/hostname"), quarto_with("css: assets/giaoban.css", "css: theme.css")(r)),
         ("_quarto.yml:format.html.css[0]: đường dẫn 'theme.css' có liên kết tượng trưng theme.css trỏ ra ngoài dự "
          "án",), code=2, absent=("_build",)),
    Case("quarto-deeply-nested", "_quarto.yml", "deeply nested YAML (5 000 levels)", BUILD,
         lambda r: write(r, "_quarto.yml", (r / "_quarto.yml").read_text(encoding="utf-8")
                         + "extra: " + "[" * 5000 + "]" * 5000 + "\n"),
         ("_quarto.yml: dòng ", "YAML lồng quá sâu (hơn 20 tầng"), code=2, absent=("_build",)),
    Case("quarto-wrong-value", "_quarto.yml", "wrong value", BUILD, quarto_with("toc-depth: 2", "toc-depth: hai"),
         ("_quarto.yml:format.typst.toc-depth: giá trị không hợp lệ 'hai'",), code=2, absent=("_build",)),
    Case("quarto-wrong-project", "_quarto.yml", "wrong project type", BUILD, quarto_with("type: website", "type: book"),
         ("_quarto.yml:project.type: ", "'book'"), code=2, absent=("_build",)),
    Case("quarto-enormous", "_quarto.yml", "enormous file", BUILD,
         lambda r: write(r, "_quarto.yml", (r / "_quarto.yml").read_text(encoding="utf-8") + "#" * 300_000),
         ("_quarto.yml: tệp lớn hơn 256 KiB",), code=2, absent=("_build",)),

    # --- the notebooks (notebooks/*.ipynb)
    Case("notebook-truncated", "notebook", "truncated", BUILD,
         lambda r: write(r, "notebooks/briefing.ipynb", (r / "notebooks/briefing.ipynb").read_bytes()[:700]),
         ("notebooks/briefing.ipynb: không đọc được sổ tay (JSONDecodeError",), code=2, absent=("_build",)),
    Case("notebook-no-parameters", "notebook", "wrong cell (no `parameters` tag)", BUILD,
         lambda r: write(r, "notebooks/briefing.ipynb", (r / "notebooks/briefing.ipynb").read_text(
             encoding="utf-8").replace('"parameters"', '"params"')),
         ("notebooks/briefing.ipynb: không có ô nào gắn thẻ 'parameters'",), code=2, absent=("_build",)),

    # --- the output folder of `giaoban build --out`
    Case("out-is-data", "output folder", "the data folder as output", BUILD + ("--out", "data"), lambda r: None,
         ("data: thư mục trang web không thể là",), code=2, absent=("_build",), subprocess=True),
    Case("out-is-project", "output folder", "the project as output", BUILD + ("--out", "."), lambda r: None,
         (".: thư mục trang web không thể là",), code=2, absent=("_build",)),
    Case("out-is-foreign", "output folder", "a folder that is not a site", BUILD + ("--out", "notes"),
         lambda r: write(r, "notes/todo.txt", "việc cần làm\n"),
         ("notes: thư mục đã có và không phải trang web do giaoban dựng",), code=2, absent=("_build",)),
    Case("out-is-file", "output folder", "a file as output", BUILD + ("--out", "requirements.lock"), lambda r: None,
         ("requirements.lock: đã có và là một tệp",), code=2, absent=("_build",)),
    Case("out-escapes", "output folder", "path leaving the project, onto a folder that is not a site",
         BUILD + ("--out", "../.."), lambda r: None, ("../..: thư mục trang web không thể là",), code=2,
         absent=("_build",)),
    Case("out-inside-data", "output folder", "a folder inside data/", BUILD + ("--out", "data/sources/site"),
         lambda r: None, ("--out data/sources/site: thư mục trang web nằm trong data",), code=2,
         absent=("_build", "data/sources/site"), subprocess=True),
    Case("out-inside-notebooks", "output folder", "a folder inside notebooks/", BUILD + ("--out", "notebooks/site"),
         lambda r: None, ("--out notebooks/site: thư mục trang web nằm trong notebooks",), code=2,
         absent=("_build", "notebooks/site")),
    Case("out-inside-params", "output folder", "a folder inside params/", BUILD + ("--out", "params/meetings/x"),
         lambda r: None, ("--out params/meetings/x: thư mục trang web nằm trong params",), code=2,
         absent=("_build", "params/meetings/x")),
    Case("out-inside-src", "output folder", "a folder inside src/", BUILD + ("--out", "src/giaoban/site"),
         lambda r: None, ("--out src/giaoban/site: thư mục trang web nằm trong src",), code=2,
         absent=("_build", "src")),
    Case("out-tilde", "output folder", "a quoted `~` (the home folder, never a folder named ~)", BUILD + ("--out", "~"),
         lambda r: None, (f"{Path.home()}: thư mục trang web không thể là {Path.home()}",), code=2,
         absent=("_build", "~")),
]

assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


# ----------------------------------------------------------------------------------- running them

def run(args: tuple[str, ...]):
    return CliRunner().invoke(app, list(args), catch_exceptions=True)


def check(case: Case, result_output: str, code: int) -> None:
    assert "Traceback" not in result_output, result_output
    assert code == case.code, f"exit {code}, expected {case.code}:\n{result_output}"
    for fragment in case.expect:
        assert fragment in result_output, f"missing {fragment!r} in:\n{result_output}"


def _documents(output: str) -> list[dict]:
    documents = json.loads(output)["documents"]
    for doc in documents:
        doc.pop("file")
    return documents


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_gets_a_clear_message_and_changes_nothing(case: Case, project) -> None:
    root = project(case.base)
    case.setup(root)
    before = tree(root)
    result = run(case.args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("an exception escaped the command:\n" + "".join(traceback.format_exception(*result.exc_info)))
    check(case, result.output, result.exit_code)
    assert tree(root) == before, "the command changed files of the project"
    for rel in case.absent:
        assert not (root / rel).exists(), rel
    if case.same_as is not None:  # the same figures, quotes and positions as from the UTF-8 file
        assert _documents(result.stdout) == _documents(run(case.same_as).stdout)


@pytest.mark.parametrize("case", [c for c in CASES if c.subprocess], ids=lambda c: c.id)
def test_the_real_command_prints_no_traceback(case: Case, bases, tmp_path) -> None:
    root = tmp_path / "project"
    shutil.copytree(bases[case.base], root)
    case.setup(root)
    before = tree(root)
    env = {**os.environ, "GIAOBAN_ROOT": str(root)}
    env.pop("GIAOBAN_DATA", None)
    done = subprocess.run([sys.executable, "-m", "giaoban", *case.args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
    check(case, done.stdout + done.stderr, done.returncode)
    assert tree(root) == before


def test_the_table_of_docs_bad_input_lists_every_case() -> None:
    text = DOC.read_text(encoding="utf-8")
    ids = {c.id for c in CASES}
    listed = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert ids <= listed, f"cases missing from {DOC.name}: {sorted(ids - listed)}"
    manifest = {"manifest-truncated", "manifest-path-escapes"}  # tested by tests/test_trust.py (they need a build)
    assert listed - ids <= manifest, f"cases of {DOC.name} without a test: {sorted(listed - ids - manifest)}"
    assert f"{len(ids | manifest)} cases" in text

"""Reading the data files as text, keeping each row's line number: encoding, BOM, NFC, header, fields.

Nothing here interprets a value: every cell stays a string (None when empty), so that each later
check can say exactly which line and column is wrong. A file that cannot be read at all (missing, not
UTF-8, broken CSV quoting) is reported and left out; the checks that need it are skipped rather than
repeating one cause as many problems.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from giaoban.domain.text import fold
from giaoban.data.validation.problems import WARNING, Problem
from giaoban.domain.report_text import ENCODING_NAMES, HOW_TO_CONVERT, SHORT_NAMES, detect_legacy

__all__ = ["Table", "read_table", "read_text", "decode"]


@dataclass
class Table:
    """One CSV table as read: `frame` has the expected columns found in the header, all values text
    (None when empty), indexed by the line number of each row in the file (header = line 1)."""

    name: str
    shown: str
    header: list[str]
    frame: pd.DataFrame
    missing: set[str] = field(default_factory=set)

    def has(self, *columns: str) -> bool:
        """Return True when every one of `columns` is in the file's header."""
        return not (set(columns) & self.missing)

    def rows(self, *columns: str):
        """Yield (line, {column: value}) for each row, with the requested columns (all if none)."""
        cols = list(columns) or list(self.frame.columns)
        for line, values in zip(self.frame.index, self.frame[cols].itertuples(index=False, name=None)):
            yield line, dict(zip(cols, values))


def _guess_encoding(raw: bytes) -> str | None:
    """The encoding charset-normalizer finds most likely for `raw`, or None."""
    # imported when needed: it loads charset_normalizer (start-up time)
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    return best.encoding if best is not None else None


def _seems(raw: bytes) -> str:
    """What the bytes of a file that is not UTF-8 seem to be, for the message."""
    legacy = detect_legacy(raw)
    if legacy is not None:
        return f"có vẻ là {ENCODING_NAMES[legacy]}"
    guess = _guess_encoding(raw)
    return f"có vẻ là {guess}" if guess and guess.replace("_", "").lower() != "utf8" else "không rõ bảng mã"


def decode(raw: bytes, shown: str, problems: list[Problem]) -> str | None:
    """Return `raw` decoded as UTF-8 (a leading BOM removed with a warning), or None after reporting
    (error, with the line of the first bad byte and the encoding it seems to be, Windows-1258, TCVN3
    and VNI named as such) a file not in UTF-8, or cut in the middle of a character at its end."""
    if raw.startswith(codecs.BOM_UTF8):
        problems.append(
            Problem(
                shown,
                1,
                None,
                "tệp bắt đầu bằng BOM (dấu thứ tự byte UTF-8, thường do Excel "
                "lưu “CSV UTF-8”); đã bỏ qua BOM; nên lưu tệp UTF-8 không BOM",
                WARNING,
            )
        )
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        if error.reason == "unexpected end of data" and error.end == len(raw):
            try:
                raw[: error.start].decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                problems.append(
                    Problem(
                        shown,
                        line,
                        None,
                        "tệp bị cắt cụt: dừng giữa một ký tự UTF-8 ở cuối tệp; hãy lấy lại tệp đầy đủ",
                    )
                )
                return None
        how = " (Excel: “CSV UTF-8”)" if shown.endswith(".csv") else ""
        problems.append(
            Problem(
                shown,
                line,
                None,
                f"tệp không phải UTF-8 ({_seems(raw)}; byte "
                f"0x{raw[error.start]:02X} không hợp lệ): cần lưu lại dưới dạng UTF-8{how}",
            )
        )
        return None


def read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    """Return the text of a UTF-8 file (source report), or None after reporting why it cannot be read:
    missing, not UTF-8, binary (NUL bytes), empty, or typed in TCVN3 or VNI and saved as UTF-8."""
    if not path.is_file():
        problems.append(Problem(shown, None, None, "không tìm thấy tệp"))
        return None
    raw = path.read_bytes()
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        problems.append(
            Problem(
                shown,
                raw[: raw.index(b"\x00")].count(b"\n") + 1,
                None,
                "tệp nhị phân (có byte 0x00), không phải văn bản: cần văn bản báo cáo UTF-8",
            )
        )
        return None
    text = decode(raw, shown, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(shown, None, None, "văn bản nguồn trống: cần văn bản báo cáo như đã tải về"))
        return None
    legacy = detect_legacy(text)
    if legacy is not None:
        problems.append(
            Problem(
                shown,
                None,
                None,
                f"văn bản được gõ bằng bảng mã {ENCODING_NAMES[legacy]} rồi lưu "
                f"thành Unicode nên chữ bị lỗi: cần lấy lại tệp gốc và "
                f"{HOW_TO_CONVERT.format(source=SHORT_NAMES[legacy])}",
            )
        )
        return None
    return text


def _records(text: str, shown: str, problems: list[Problem]) -> list[tuple[int, list[str]]] | None:
    """(first line, fields) of every CSV record, or None after reporting broken quoting."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, last = [], 0
    try:
        for fields in reader:
            records.append((last + 1, fields))
            last = reader.line_num
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            problems.append(
                Problem(
                    shown,
                    reader.line_num or 1,
                    None,
                    'tệp kết thúc giữa một ô mở bằng dấu ngoặc kép ": tệp bị cắt cụt (lấy lại tệp '
                    'đầy đủ) hoặc thiếu dấu " đóng ô',
                )
            )
        elif "field larger than field limit" in str(error):
            limit = f"{csv.field_size_limit():,}".replace(",", ".")
            problems.append(
                Problem(
                    shown,
                    (reader.line_num or 1),
                    None,
                    f"một ô dài hơn {limit} ký tự, quá lớn cho một bảng dữ liệu: kiểm tra dấu ngoặc "
                    f'kép " không đóng, hoặc văn bản dán nhầm vào ô',
                )
            )
        else:
            problems.append(
                Problem(
                    shown,
                    reader.line_num or 1,
                    None,
                    f'không đọc được dòng CSV ({error}): kiểm tra dấu ngoặc kép " quanh ô',
                )
            )
        return None
    return records


def _semicolons(text: str, columns: list[str]) -> bool:
    """True when the header line is cut by `;` rather than `,`: no expected column read as comma-separated,
    at least two once cut at the semicolons."""
    first = text.split("\n", 1)[0].strip("\r")
    if ";" not in first:
        return False
    by_comma = {f.strip() for f in next(csv.reader([first]), [])}
    by_semicolon = {f.strip() for f in next(csv.reader([first], delimiter=";"), [])}
    return not (by_comma & set(columns)) and len(by_semicolon & set(columns)) >= 2


def read_table(
    path: Path, shown: str, name: str, columns: list[str], text_columns: set[str], problems: list[Problem]
) -> Table | None:
    """Return the table in `path` (expected `columns`, any order), reporting into `problems`:
    missing file, not UTF-8, BOM (warning), cells separated by `;` (one message), broken quoting, empty file, missing, extra, misspelt or
    repeated columns, rows with too few or too many fields, cells not in NFC, spaces at the ends of a
    cell (an error, or a warning in the free-text `text_columns`), rows with no value (warning).

    Returns None when the file cannot be read at all.
    """
    if not path.is_file():
        problems.append(
            Problem(shown, None, None, f"không tìm thấy tệp: bảng {name} cần có các cột {', '.join(columns)}")
        )
        return None
    text = decode(path.read_bytes(), shown, problems)
    if text is None:
        return None
    if _semicolons(text, columns):
        problems.append(
            Problem(
                shown,
                1,
                None,
                "các ô ngăn cách bằng dấu chấm phẩy “;” (Excel lưu “CSV” như vậy "
                "khi máy đặt vùng Việt Nam), không phải dấu phẩy “,”: không đọc được bảng; lưu lại "
                "bằng Excel: Tệp › Lưu thành › “CSV UTF-8 (phân tách bằng dấu phẩy)”, hoặc đổi dấu "
                "ngăn danh sách của máy thành “,”",
            )
        )
        return None
    records = _records(text, shown, problems)
    if records is None:
        return None
    records = [(line, fields) for line, fields in records if fields]  # blank lines carry nothing
    if not records:
        problems.append(Problem(shown, 1, None, f"tệp trống: cần dòng tiêu đề {','.join(columns)}"))
        return None
    (_, header), body = records[0], records[1:]

    seen: dict[str, int] = {}
    keep: list[tuple[int, str]] = []  # (position in the file, expected column)
    extra: list[str] = []
    for position, label in enumerate(header):
        if label in seen:
            problems.append(
                Problem(shown, 1, label, f"cột “{label}” lặp lại (cột thứ {seen[label] + 1} và {position + 1})")
            )
            continue
        seen[label] = position
        if label in columns:
            keep.append((position, label))
        else:
            extra.append(label)
    missing = [c for c in columns if c not in seen]
    for label in extra:
        near = [c for c in missing if fold(c) == fold(label)]
        if near:
            problems.append(Problem(shown, 1, label, f"tên cột “{label}” sai: cần viết đúng “{near[0]}”"))
        else:
            shown_label = label if label.strip() else f"(trống, cột thứ {seen[label] + 1})"
            problems.append(
                Problem(
                    shown,
                    1,
                    label or None,
                    f"cột thừa “{shown_label}”: bảng {name} chỉ có các cột {', '.join(columns)}",
                )
            )
    near_missing = {c for c in missing for label in extra if fold(c) == fold(label)}
    for label in missing:
        if label not in near_missing:
            problems.append(
                Problem(shown, 1, label, f"thiếu cột “{label}” (bảng {name} cần các cột {', '.join(columns)})")
            )

    lines, rows = [], []
    for line, fields in body:
        if len(fields) != len(header):
            problems.append(
                Problem(
                    shown,
                    line,
                    None,
                    f"dòng có {len(fields)} ô nhưng tiêu đề có {len(header)} cột: kiểm tra dấu phẩy và dấu ngoặc kép",
                )
            )
            continue
        if not any(f.strip() for f in fields):
            problems.append(
                Problem(shown, line, None, "dòng không có giá trị nào; đã bỏ qua: hãy xoá dòng này", WARNING)
            )
            continue
        row = []
        for position, label in keep:
            value = fields[position]
            if not value.isascii() and not unicodedata.is_normalized("NFC", value):
                problems.append(
                    Problem(
                        shown,
                        line,
                        label,
                        "văn bản chưa chuẩn hoá Unicode NFC (dấu tiếng Việt tổ hợp): cần lưu ở dạng NFC (dựng sẵn)",
                    )
                )
            if value.strip() and value != value.strip():
                if label in text_columns:
                    problems.append(Problem(shown, line, label, "ô có khoảng trắng thừa ở đầu hoặc cuối", WARNING))
                else:
                    problems.append(
                        Problem(
                            shown,
                            line,
                            label,
                            f"“{value}” có khoảng trắng thừa ở đầu hoặc cuối: cần viết liền, không có khoảng trắng",
                        )
                    )
            if label not in text_columns:
                value = value.strip()  # reported above; checked once more without the spaces
            row.append(value if value.strip() else None)
        lines.append(line)
        rows.append(row)
    present = [label for _, label in keep]
    frame = pd.DataFrame(rows, columns=present, index=pd.Index(lines, name="line"), dtype=object)
    frame = frame[[c for c in columns if c in present]]
    return Table(name, shown, header, frame, set(missing))

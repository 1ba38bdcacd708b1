"""Reading a report file into NFC text: the one place where bytes become characters.

Reports should be UTF-8. What else arrives, and what happens to it:

| bytes | what `read_report` does |
|---|---|
| UTF-8, with or without a byte-order mark | read (the mark dropped), NFC |
| UTF-16 with its byte-order mark (Notepad's "Unicode") | converted with Python's `utf-16` codec, NFC |
| Windows-1258 (Vietnamese Windows, tone marks often as combining characters) | converted with Python's `cp1258` codec, then NFC (which composes `a` + U+0300 into `à`) |
| TCVN3 (ABC, the `.VnTime` fonts) or VNI (the `VNI-Times` fonts), as bytes or already turned into UTF-8 mojibake (`Céng hoµ`, `Coäng hoøa`) | refused, naming the encoding and how to convert it |
| cut in the middle of a UTF-8 character at the end | refused: the file is truncated |
| empty, only spaces, binary (PDF, Word, Excel, NUL bytes), over `MAX_REPORT_BYTES` | refused |
| anything else not UTF-8 | refused, with the encoding charset-normalizer guesses |

Why TCVN3 and VNI are refused rather than converted: no well-kept library on PyPI converts them
(in 2025 the candidates were a young RAG loader whose TCVN3 table admits an inferred letter and
lowercases headings, and a VNI *typing* encoder), and an approximate conversion would silently
change the verbatim quotes every figure rests on. Both are recognised by their byte signature:
the text is decoded with each legacy table (lower-case letters only, enough to recognise words) and
the encoding whose decoding yields the most common Vietnamese words (`và`, `của`, `được`, `công`…)
wins, against the same count for Windows-1258 and for the text read as it is. UniKey's converter
(UniKey Toolkit, "Công cụ chuyển mã": nguồn TCVN3 hoặc VNI Windows, đích Unicode) or Word's "Save
as: Plain Text, Unicode (UTF-8)" gives a file giaoban reads.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from giaoban.errors import InputError

__all__ = [
    "read_report",
    "read_report_as",
    "decode_report",
    "decode_bytes",
    "detect_legacy",
    "Decoded",
    "ENCODING_NAMES",
    "SHORT_NAMES",
    "MAX_REPORT_BYTES",
    "HOW_TO_CONVERT",
]

#: A report is a few pages of text (the five real ones are under 20 KB); anything larger is not one.
MAX_REPORT_BYTES = 5 * 1024 * 1024

#: How each encoding is named in messages.
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (có BOM)",
    "utf-16": "UTF-16",
    "cp1258": "Windows-1258",
    "tcvn3": "TCVN3 (ABC, phông .VnTime)",
    "vni": "VNI Windows (phông VNI-Times)",
}
#: How to convert a file, for messages: `HOW_TO_CONVERT.format(source=SHORT_NAMES[encoding])`.
SHORT_NAMES = {"tcvn3": "TCVN3", "vni": "VNI Windows", "cp1258": "Windows-1258"}
HOW_TO_CONVERT = (
    "chuyển sang Unicode UTF-8 bằng UniKey Toolkit (Công cụ chuyển mã: nguồn {source}, đích "
    "Unicode) hoặc mở bằng Word và lưu dạng Plain Text, Unicode (UTF-8)"
)

# ----------------------------------------------------------------------------------- legacy tables

# TCVN3 (ABC): one byte per lower-case Vietnamese letter, shown here as the Latin-1 character of
# that byte. Upper-case accented letters need the `.VnTimeH` fonts and are not listed (detection
# only needs words, which are mostly lower case).
_TCVN3 = {
    "ă": "\xa8",
    "â": "\xa9",
    "ê": "\xaa",
    "ô": "\xab",
    "ơ": "\xac",
    "ư": "\xad",
    "đ": "\xae",
    "Đ": "\xa7",
    "à": "\xb5",
    "á": "\xb8",
    "ả": "\xb6",
    "ã": "\xb7",
    "ạ": "\xb9",
    "ằ": "\xbb",
    "ắ": "\xbe",
    "ẳ": "\xbc",
    "ẵ": "\xbd",
    "ặ": "\xc6",
    "ầ": "\xc7",
    "ấ": "\xca",
    "ẩ": "\xc8",
    "ẫ": "\xc9",
    "ậ": "\xcb",
    "è": "\xcc",
    "é": "\xd0",
    "ẻ": "\xce",
    "ẽ": "\xcf",
    "ẹ": "\xd1",
    "ề": "\xd2",
    "ế": "\xd5",
    "ể": "\xd3",
    "ễ": "\xd4",
    "ệ": "\xd6",
    "ì": "\xd7",
    "í": "\xdd",
    "ỉ": "\xd8",
    "ĩ": "\xdc",
    "ị": "\xde",
    "ò": "\xdf",
    "ó": "\xe3",
    "ỏ": "\xe1",
    "õ": "\xe2",
    "ọ": "\xe4",
    "ồ": "\xe5",
    "ố": "\xe8",
    "ổ": "\xe6",
    "ỗ": "\xe7",
    "ộ": "\xe9",
    "ờ": "\xea",
    "ớ": "\xed",
    "ở": "\xeb",
    "ỡ": "\xec",
    "ợ": "\xee",
    "ù": "\xef",
    "ú": "\xf3",
    "ủ": "\xf1",
    "ũ": "\xf2",
    "ụ": "\xf4",
    "ừ": "\xf5",
    "ứ": "\xf8",
    "ử": "\xf6",
    "ữ": "\xf7",
    "ự": "\xf9",
    "ỳ": "\xfa",
    "ý": "\xfd",
    "ỷ": "\xfb",
    "ỹ": "\xfc",
    "ỵ": "\xfe",
}

# VNI Windows: a base letter followed by one or two mark bytes (shown as their Windows-1252 character).
_VNI_TONES = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_HAT = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}  # â ê ô
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}  # ă
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def _vni_letter(letter: str) -> str | None:
    """The VNI surface form of one lower-case Vietnamese letter, or None for a letter VNI keeps as is."""
    parts = unicodedata.normalize("NFD", letter)
    base, marks = parts[0], parts[1:]
    tone = next((m for m in marks if m in _VNI_TONES), "")
    shape = "".join(m for m in marks if m != tone)
    if letter == "đ":
        return "ñ"
    if base == "i":
        return _VNI_I.get(tone)
    if base == "y" and tone == "\u0323":
        return "î"
    if shape == "\u0302":  # circumflex: â ê ô
        return base + _VNI_HAT[tone]
    if shape == "\u0306":  # breve: ă
        return base + _VNI_BREVE[tone]
    if shape == "\u031b":  # horn: ơ ư
        return {"o": "ô", "u": "ö"}[base] + _VNI_TONES.get(tone, "")
    if tone:
        return base + _VNI_TONES[tone]
    return None


def _vni_table() -> dict[str, str]:
    letters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    return {ch: form for ch in letters if (form := _vni_letter(ch)) is not None}


_VNI = _vni_table()

#: Common words of the reports (NFC, lower case, each with a letter outside ASCII): the more of them a
#: decoding yields, the more likely it is the right one.
_WORDS = (
    "và của các được năm công học tỉnh việt những đã với có người nghệ thực hiện tổ chức số quản lý kế "
    "hoạch đề tài nhiệm vụ sở dự án triển đồng trên địa bàn tiêu chuẩn đo lường chất lượng cộng hoà hòa "
    "xã hội chủ nghĩa độc lập tự hạnh phúc báo cáo kết quả tháng đầu sáng tạo giải pháp hỗ trợ doanh "
    "nghiệp ứng dụng chuyển giao phát triển thông tin khởi hợp tác đánh giá lĩnh vực tiến bộ kỹ thuật"
).split()
_WORD_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(sorted(map(re.escape, set(_WORDS)), key=len, reverse=True)) + r")(?![\w])"
)


def _surface(word: str, table: dict[str, str]) -> str:
    return "".join(table.get(ch, ch) for ch in word)


@cache
def _decoder(name: str) -> tuple[re.Pattern, dict[str, str]]:
    """A regex over surface forms and the map back to letters, for the legacy table `name`."""
    table = _TCVN3 if name == "tcvn3" else _VNI
    back: dict[str, str] = {}
    for letter, form in table.items():
        back.setdefault(form, letter)
    pattern = re.compile("|".join(re.escape(f) for f in sorted(back, key=len, reverse=True)))
    return pattern, back


def _legacy_decode(surface: str, name: str) -> str:
    """Decode (lower-case letters only) text whose characters are the bytes of encoding `name`."""
    pattern, back = _decoder(name)
    return pattern.sub(lambda m: back[m.group()], surface)


def _score(text: str) -> int:
    """How many common Vietnamese words `text` holds (NFC, case-insensitive)."""
    return len(_WORD_RE.findall(unicodedata.normalize("NFC", text).lower()))


# Windows-1252 writes U+0000-U+007F and U+00A0-U+00FF as the Latin-1 bytes of the same number, and 27
# other characters (€, “, Œ…) as bytes 0x80-0x9F: those 27, as the Latin-1 characters of their bytes.
_CP1252_HIGH = {ch: chr(b) for b in range(0x80, 0xA0) for ch in [bytes([b]).decode("cp1252", errors="ignore")] if ch}
_CP1252_BYTES = str.maketrans(_CP1252_HIGH)
_NOT_CP1252_OR_LATIN1 = re.compile("[^\x00-\xff" + "".join(map(re.escape, _CP1252_HIGH)) + "]+")


def _as_bytes_text(text: str) -> str:
    """The characters of `text` that Windows-1252 or Latin-1 can write, as the Latin-1 text of those bytes:
    what a legacy-encoded file looks like after it was read as Windows-1252 and saved as UTF-8."""
    return _NOT_CP1252_OR_LATIN1.sub("", text).translate(_CP1252_BYTES)


def _vni_surface(raw: bytes) -> str:
    return raw.decode("cp1252", errors="replace")


def detect_legacy(data: bytes | str) -> str | None:
    """Return `"tcvn3"`, `"vni"` or `"cp1258"` when `data` reads as Vietnamese in that encoding better than
    in any other (and with at least three common words), else None.

    `data` is the file's bytes, or text already decoded as UTF-8 (then only TCVN3 and VNI mojibake, text
    that went through Windows-1252 on its way to UTF-8, is looked for). Refuses nothing.
    """
    if isinstance(data, str):
        surface = _as_bytes_text(data)
        scores = {
            "tcvn3": _score(_legacy_decode(surface, "tcvn3")),
            "vni": _score(_legacy_decode(surface, "vni")),
            "": _score(data),
        }
    else:
        latin = data.decode("latin-1")
        scores = {
            "tcvn3": _score(_legacy_decode(latin, "tcvn3")),
            "vni": _score(_legacy_decode(_vni_surface(data), "vni")),
            "cp1258": _score(data.decode("cp1258", errors="replace")),
        }
    best = max(scores, key=lambda k: scores[k])
    others = [v for k, v in scores.items() if k != best]
    if not best or scores[best] < 3 or scores[best] <= max(others, default=0):
        return None
    return best


# ----------------------------------------------------------------------------------- decoding


@dataclass(frozen=True)
class Decoded:
    """A report's text (NFC) and the encoding it was read from (a key of ENCODING_NAMES)."""

    text: str
    encoding: str

    @property
    def converted(self) -> bool:
        """True when the bytes were not UTF-8 and were converted."""
        return self.encoding not in ("utf-8", "utf-8-sig")


_BINARY = (
    (b"%PDF", "tệp PDF"),
    (b"PK\x03\x04", "tệp nén (Word .docx, Excel .xlsx hoặc .zip)"),
    (b"\xd0\xcf\x11\xe0", "tệp Word hoặc Excel cũ (.doc, .xls)"),
    (b"{\\rtf", "tệp RTF"),
)


def _refuse(message: str, name: str) -> InputError:
    return InputError(message, path=name)


def _guess_encoding(data: bytes) -> str | None:
    """Return the name of the encoding `data` seems to be in (charset-normalizer), or None."""
    # imported when needed: it loads charset_normalizer (start-up time)
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return best.encoding if best is not None else None


def decode_bytes(data: bytes, name: str = "<văn bản>") -> Decoded:
    """Return the NFC text of a report's bytes and the encoding they were read from (see the module
    docstring); refuses (InputError naming `name`, and where it can the encoding and how to convert it)
    what cannot be read faithfully."""
    for magic, what in _BINARY:
        if data.startswith(magic):
            raise _refuse(f"{what}, không phải văn bản: hãy chép nội dung ra tệp .txt (UTF-8)", name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise _refuse(f"tệp UTF-16 hỏng (byte {error.start}): hãy lưu lại dưới dạng UTF-8", name) from None
    else:
        bom = data.startswith(codecs.BOM_UTF8)
        body = data[len(codecs.BOM_UTF8) :] if bom else data
        if b"\x00" in body:
            at = body.index(b"\x00")
            raise _refuse(
                f"tệp nhị phân (có byte 0x00 ở vị trí {at}), không phải văn bản: hãy chép nội dung ra tệp .txt (UTF-8)",
                name,
            )
        try:
            text, encoding = body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
        except UnicodeDecodeError as error:
            return Decoded(_not_utf8(body, error, name), "cp1258")
    legacy = detect_legacy(text)
    if legacy is not None:
        raise _refuse(
            f"văn bản được gõ bằng bảng mã {ENCODING_NAMES[legacy]} rồi lưu thành Unicode nên chữ "
            f"bị lỗi (như “{_sample(text)}”): hãy lấy lại tệp gốc và "
            f"{HOW_TO_CONVERT.format(source=SHORT_NAMES[legacy])}",
            name,
        )
    return Decoded(unicodedata.normalize("NFC", text), encoding)


def _sample(text: str) -> str:
    """A few words of `text` that show the damage (the first line holding a Latin-1 letter)."""
    for line in text.splitlines():
        if any("\xa0" < ch <= "\xff" for ch in line):
            return line.strip()[:40]
    return text.strip()[:40]


def _not_utf8(data: bytes, error: UnicodeDecodeError, name: str) -> str:
    """The text of bytes that are not UTF-8 when they are Windows-1258; else the refusal."""
    position = error.start
    if error.reason == "unexpected end of data" and error.end == len(data):
        try:
            data[:position].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise _refuse(
                f"tệp bị cắt cụt: dừng giữa một ký tự UTF-8 ở cuối tệp (byte {position}); hãy lấy lại tệp đầy đủ", name
            )
    legacy = detect_legacy(data)
    if legacy == "cp1258":
        return unicodedata.normalize("NFC", data.decode("cp1258", errors="strict"))
    if legacy is not None:
        raise _refuse(
            f"tệp dùng bảng mã {ENCODING_NAMES[legacy]}, không phải UTF-8 (byte 0x{data[position]:02X} ở "
            f"vị trí {position}): giaoban không tự chuyển bảng mã này vì không có thư viện chuyển đổi "
            f"đáng tin cậy; hãy {HOW_TO_CONVERT.format(source=SHORT_NAMES[legacy])}",
            name,
        )
    guess = _guess_encoding(data)
    seems = f"; có vẻ là mã {guess}" if guess else ""
    raise _refuse(f"tệp không phải UTF-8 (byte lỗi ở vị trí {position}){seems}: hãy chuyển tệp sang UTF-8", name)


def decode_report(data: bytes, name: str = "<văn bản>") -> str:
    """Return the NFC text of a report's bytes (see `decode_bytes`, which also says the encoding)."""
    return decode_bytes(data, name).text


def read_report_as(path: str | Path) -> Decoded:
    """Return the NFC text of the report file at `path` and the encoding it was read from.

    Refuses (InputError naming the file): a missing or unreadable file, a file over
    `MAX_REPORT_BYTES`, an empty one, and what `decode_bytes` refuses.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_REPORT_BYTES:
            shown = f"{size:,}".replace(",", ".")
            raise InputError(
                f"tệp lớn {shown} byte, quá giới hạn {MAX_REPORT_BYTES // (1024 * 1024)} MB của một "
                f"báo cáo: đây có phải văn bản báo cáo không?",
                path=str(p),
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("không tìm thấy tệp", path=str(p)) from None
    except IsADirectoryError:
        raise InputError("là một thư mục, cần một tệp văn bản", path=str(p)) from None
    except OSError as error:
        raise InputError(f"không đọc được tệp ({error.strerror})", path=str(p)) from None
    decoded = decode_bytes(data, str(p))
    if not decoded.text.strip():
        raise InputError("tệp trống: không có văn bản báo cáo", path=str(p))
    return decoded


def read_report(path: str | Path) -> str:
    """Return the NFC text of the report file at `path` (see `read_report_as`)."""
    return read_report_as(path).text

"""Reading a report file into NFC text: the one place where bytes become characters.

Reports are UTF-8 (a byte-order mark is tolerated and dropped). A file in another encoding is
refused with an `InputError` naming the file and the encoding it seems to be in. Old Vietnamese
encodings (TCVN3/ABC, VNI, Windows-1258) are a later addition: each would be one more entry of
`DECODERS`, tried in order after UTF-8, and nothing else would change.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path
from typing import Callable

from giaoban.errors import InputError

__all__ = ["read_report", "decode_report", "DECODERS"]

#: Decoders tried in order: each returns the text, or None when the bytes are not its encoding.
Decoder = Callable[[bytes], "str | None"]


def _utf8(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


DECODERS: list[tuple[str, Decoder]] = [("utf-8", _utf8)]


def _guess_encoding(data: bytes) -> str | None:
    """Return the name of the encoding `data` seems to be in (charset-normalizer), or None."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best is not None else None


def decode_report(data: bytes, name: str = "<văn bản>") -> str:
    """Return the NFC text of a report's bytes; refuses (InputError) bytes no decoder reads.

    The message names `name` and, when it can be guessed, the encoding the bytes seem to be in.
    """
    for _encoding, decoder in DECODERS:
        text = decoder(data)
        if text is not None:
            return unicodedata.normalize("NFC", text)
    try:
        bad = data.decode("utf-8")  # only for the position of the first bad byte
    except UnicodeDecodeError as error:
        position = error.start
    else:  # pragma: no cover - a decoder above would have read it
        return unicodedata.normalize("NFC", bad)
    guess = _guess_encoding(data)
    seems = f"; có vẻ là mã {guess}" if guess else ""
    raise InputError(
        f"tệp không phải UTF-8 (byte lỗi ở vị trí {position}){seems}: hãy chuyển tệp sang UTF-8",
        path=name)


def read_report(path: str | Path) -> str:
    """Return the NFC text of the report file at `path`.

    Refuses (InputError naming the file) a missing or unreadable file and a file that is not UTF-8.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("không tìm thấy tệp", path=str(p)) from None
    except OSError as error:
        raise InputError(f"không đọc được tệp ({error.strerror})", path=str(p)) from None
    return decode_report(data, str(p))

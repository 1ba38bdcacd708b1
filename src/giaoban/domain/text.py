"""Vietnamese text: NFC, removing diacritics, folding for loose matching, tone placement, slugs.

Reports arrive in every spelling Vietnamese allows: composed or decomposed Unicode, the old
(`Hòa`, `Thanh Hóa`, `thủy`) or the new (`Hoà`, `Thanh Hoá`, `thuỷ`) placement of the tone mark,
sometimes without diacritics at all. These helpers make such spellings comparable.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["nfc", "strip_diacritics", "fold", "normalize_tone_placement", "slugify"]

# The five tone marks as combining characters (huyền, sắc, hỏi, ngã, nặng).
_TONES = frozenset("\u0300\u0301\u0309\u0303\u0323")
# Diphthongs whose tone mark moves between the old and the new style when nothing follows them.
_MOVABLE = frozenset({("o", "a"), ("o", "e"), ("u", "y")})
_LETTERS = re.compile(r"[^\W\d_]+")
_NOT_ALNUM = re.compile(r"[^\w]|_")
_SPACES = re.compile(r"\s+")


def nfc(s: str) -> str:
    """Return `s` in Unicode normalisation form C (composed: `ệ` is one character)."""
    return unicodedata.normalize("NFC", s)


def strip_diacritics(s: str) -> str:
    """Return `s` without tone and vowel marks, `đ`→`d`, `Đ`→`D`; case and everything else kept.

    `Thừa Thiên Huế` → `Thua Thien Hue`, `Đắk Lắk` → `Dak Lak`. The result is NFC.
    """
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return nfc("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def fold(s: str) -> str:
    """Return the key for loose matching: NFC, lower case, no diacritics, words separated by one space.

    Every character that is neither a letter nor a digit (`.`, `-`, `–`, `—`, `_`, `&`, `/` …) becomes
    a space, then runs of whitespace collapse: `TP. Hồ Chí Minh` → `tp ho chi minh`,
    `Bà Rịa–Vũng Tàu` → `ba ria vung tau`. Tone placement no longer matters after folding.
    """
    folded = strip_diacritics(nfc(s).lower())
    return _SPACES.sub(" ", _NOT_ALNUM.sub(" ", folded)).strip()


def _split(ch: str) -> tuple[str, str, str]:
    """Return (base letter, vowel marks, tone mark) of one NFC character."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    tone = "".join(m for m in marks if m in _TONES)
    return base, "".join(m for m in marks if m not in _TONES), tone


def _retone_word(word: str, style: str) -> str:
    if len(word) < 2:
        return word
    (b1, m1, t1), (b2, m2, t2) = _split(word[-2]), _split(word[-1])
    if (b1.lower(), b2.lower()) not in _MOVABLE or m1 or m2 or not (t1 or t2) or (t1 and t2):
        return word
    if b1.lower() == "u" and len(word) >= 3 and word[-3] in "qQ":
        return word  # `quý`: u belongs to the consonant qu, the tone stays on y
    tone = t1 or t2
    if style == "old":
        first, second = nfc(b1 + tone), b2
    else:
        first, second = b1, nfc(b2 + tone)
    return word[:-2] + first + second


def normalize_tone_placement(s: str, style: str = "new") -> str:
    """Return NFC `s` with the tone mark of a final `oa`, `oe`, `uy` placed in the chosen style.

    `style="old"` puts it on the first vowel (`Hòa`, `Thanh Hóa`, `khỏe`, `thủy`), `style="new"` on
    the second (`Hoà`, `Thanh Hoá`, `khoẻ`, `thuỷ`). Only a diphthong that ends its word moves:
    `hoàn`, `toán`, `huỳnh`, `khuya` and `quý` are never changed. Case is kept, and the result has
    exactly as many characters as `nfc(s)`, so character positions stay valid.
    Refuses (ValueError) a style other than "old" or "new".
    """
    if style not in ("old", "new"):
        raise ValueError(f"style phải là 'old' hoặc 'new', không phải {style!r}")
    return _LETTERS.sub(lambda m: _retone_word(m.group(), style), nfc(s))


def slugify(s: str) -> str:
    """Return an ASCII, lower-case, hyphen-separated slug: `Thừa Thiên Huế` → `thua-thien-hue`.

    Characters that have no ASCII form after removing diacritics are dropped; the result may be
    empty if `s` has no ASCII letter or digit at all.
    """
    ascii_text = strip_diacritics(nfc(s)).lower().encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")

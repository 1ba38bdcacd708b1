"""Language: whether a report text is written in Vietnamese.

The reader's rules are Vietnamese words and the Vietnamese way of writing numbers (`1.287`; `99,88`):
on a text in another language they would propose wrong figures (`1,520` read as 1,52). Vietnamese
text is recognised by its letters: most of its words carry a diacritic (`ă â đ ê ô ơ ư` or a tone
mark), which English, French or unaccented text does not.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["language_of", "VIETNAMESE_SHARE", "MIN_WORDS"]

#: A text is Vietnamese when at least this share of its words carry a Vietnamese diacritic.
VIETNAMESE_SHARE = 0.2
#: Texts with fewer words than this are not judged (a caption, a headline): taken as Vietnamese.
MIN_WORDS = 20

_WORD = re.compile(r"[^\W\d_]+")
_VIET_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"}
_ENGLISH = frozenset("the and of in to for with was were has have this that from by on department".split())


def _has_diacritic(word: str) -> bool:
    if "đ" in word or "Đ" in word:
        return True
    return any(ch in _VIET_MARKS for ch in unicodedata.normalize("NFD", word))


def language_of(text: str) -> str:
    """Return `"vi"` for a Vietnamese text (or one too short to judge), `"en"` for a text whose
    words are mostly English, `"other"` for any other text without Vietnamese letters."""
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return "vi"
    marked = sum(1 for w in words if _has_diacritic(w))
    if marked / len(words) >= VIETNAMESE_SHARE:
        return "vi"
    english = sum(1 for w in words if w.lower() in _ENGLISH)
    return "en" if english / len(words) >= 0.05 else "other"

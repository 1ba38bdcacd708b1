"""Text as legacy Vietnamese encodings write it, for tests that feed such files."""

from __future__ import annotations

import unicodedata


def cp1258(text: str) -> bytes:
    """`text` as Windows-1258 writes it: â ê ô ă ơ ư đ precomposed, tone marks as combining characters
    where no precomposed letter exists (Python's own codec, which refuses the NFC letters it lacks)."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in base if c in "\u0300\u0301\u0303\u0309\u0323")
            rest = unicodedata.normalize("NFC", "".join(c for c in base if c not in tones))
            out.append((rest + tones).encode("cp1258"))
    return b"".join(out)

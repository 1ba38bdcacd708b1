"""Where each page of the site lives: one path scheme shared by the executed notebooks and the site.

An executed notebook at ``_build/executed/<page>.ipynb`` becomes ``_site/<page>.html`` (and, for
briefings, ``_site/<page>.pdf``). English pages live under ``en/``. Paths are built only from
validated codes and slugs (a `Period` code, a `Province` slug), never from raw user text.

| page | path (without suffix) |
|---|---|
| briefing of one province for one period | ``briefings/<period>/<province-slug>`` |
| one province, all periods | ``provinces/<province-slug>`` |
| one period, all provinces | ``periods/<period>`` |
| the book of a period (PDF only) | ``books/<period>`` |
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

LANGS = ("vi", "en")
NOTEBOOKS = ("briefing", "province", "period")

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def _safe(part: str, what: str) -> str:
    if not _SAFE.match(part):
        raise ValueError(f"{what} không dùng được trong đường dẫn: {part!r} (chỉ chữ, số và '-')")
    return part


def _lang_prefix(lang: str) -> PurePosixPath:
    if lang not in LANGS:
        raise ValueError(f"ngôn ngữ không hỗ trợ: {lang!r} (cần một trong {', '.join(LANGS)})")
    return PurePosixPath("en") if lang == "en" else PurePosixPath()


def briefing_page(period: str, province_slug: str, lang: str = "vi") -> PurePosixPath:
    """Return the page path (no suffix) of the briefing of `province_slug` for `period`.

    Refuses a period code or slug with characters other than letters, digits and '-', and an
    unsupported language.
    """
    return _lang_prefix(lang) / "briefings" / _safe(period, "kỳ") / _safe(province_slug, "tỉnh")


def province_page(province_slug: str, lang: str = "vi") -> PurePosixPath:
    """Return the page path (no suffix) of the page of one province over all periods."""
    return _lang_prefix(lang) / "provinces" / _safe(province_slug, "tỉnh")


def period_page(period: str, lang: str = "vi") -> PurePosixPath:
    """Return the page path (no suffix) of the page of one period over all provinces."""
    return _lang_prefix(lang) / "periods" / _safe(period, "kỳ")


def period_book(period: str, lang: str = "vi") -> PurePosixPath:
    """Return the path (no suffix) of the PDF book that bundles a period's briefings."""
    return _lang_prefix(lang) / "books" / _safe(period, "kỳ")


def page_for(notebook: str, params: dict, province_slug: str | None = None) -> PurePosixPath:
    """Return the page path of a job: `notebook` is one of NOTEBOOKS; `params` its parameters.

    `province_slug` is the validated slug of ``params['province']`` (needed for briefing and
    province pages). Refuses an unknown notebook name.
    """
    lang = params.get("lang", "vi")
    if notebook == "briefing":
        return briefing_page(params["period"], province_slug or "", lang)
    if notebook == "province":
        return province_page(province_slug or "", lang)
    if notebook == "period":
        return period_page(params["period"], lang)
    raise ValueError(f"sổ tay không có: {notebook!r} (cần một trong {', '.join(NOTEBOOKS)})")

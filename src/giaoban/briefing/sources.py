"""Where every figure came from: numbered notes next to figures, and the sources section they lead to.

A page keeps one `Notes`. Each figure shown asks it for a mark (`\\[3\\]`); the same quote of the same
report always gets the same number, numbered in order of first use. The sources section lists each
note with its report's title, the source file and the line where the quote stands, after checking
that the quote is in the text verbatim (NFC) when the text is at hand.

Each mark is a link to its entry in the sources section (`#src-3`, in the page and in the PDF), and
each entry links to the page of the report's text at the quote's line (`source_href`): a path from
the site's root that the site renderer turns into a relative link, or into plain text when the text
is not published (an internal report in a public build).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from giaoban.briefing import i18n
from giaoban.briefing.tables import EMPTY, Raw, escape, heading, join, md
from giaoban.domain.text import nfc

__all__ = ["Note", "Notes", "SourcedPage", "locate", "source_href", "note_id", "SOURCE_PAGES"]

#: The folder of the site that holds a page per report text (`sources/<file stem>.html`).
SOURCE_PAGES = "sources"


def note_id(number: int) -> str:
    """Return the id of note `number`'s entry in the sources section (`src-3`)."""
    return f"src-{number}"


def source_href(file: str, line: int | None = None) -> str:
    """Return the link to the page of the report text `file` (`/sources/004_ab.html#L24`), from the
    site's root, at `line` when given. Refuses (ValueError) a file name with a folder in it."""
    if not file or "/" in file or "\\" in file or file.startswith("."):
        raise ValueError(f"tên tệp văn bản báo cáo không hợp lệ: {file!r}")
    stem = file.rsplit(".", 1)[0] if "." in file else file
    return f"/{SOURCE_PAGES}/{stem}.html" + (f"#L{line}" if line is not None else "")


def locate(quote: str, text: str | None) -> int | None:
    """Return the 1-based line of the NFC `text` where the NFC `quote` starts, None if absent or
    when `text` is None. Refuses nothing."""
    if text is None or not quote:
        return None
    where = nfc(text).find(nfc(quote))
    if where < 0:
        return None
    return nfc(text).count("\n", 0, where) + 1


@dataclass(frozen=True)
class Note:
    """One numbered note: a report and a verbatim quote."""

    number: int
    report_id: str
    quote: str


class Notes:
    """The numbered notes of one page (see the module docstring).

    `reports`: the reports table (for titles and file names); `sources`: report_id → text, used to
    check each quote (optional: without it, quotes are listed unchecked).
    """

    def __init__(self, reports: pd.DataFrame, sources: Mapping[str, str] | None = None) -> None:
        self._meta = {r["report_id"]: r for r in reports.to_dict("records")}
        self._sources = dict(sources or {})
        self._numbers: dict[tuple[str, str], int] = {}

    def __len__(self) -> int:
        return len(self._numbers)

    def number(self, report_id: str, quote: str) -> int:
        """Return the number of the note for (`report_id`, `quote`), adding it if new."""
        key = (report_id, quote)
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
        return self._numbers[key]

    def mark(self, parts: Iterable[Any]) -> Raw:
        """Return the marks (`\\[1\\]\\[2\\]`) of the parts' (report_id, quote), numbering new ones."""
        numbers = []
        for part in parts:
            n = self.number(part.report_id, part.quote)
            if n not in numbers:
                numbers.append(n)
        return Raw("".join(f"[\\[{n}\\]](#{note_id(n)}){{.src-mark}}" for n in numbers))

    def notes(self) -> list[Note]:
        """Return the notes in number order."""
        return [Note(n, rid, q) for (rid, q), n in sorted(self._numbers.items(), key=lambda kv: kv[1])]

    def markdown(self, lang: str) -> str:
        """Return the sources as Markdown, grouped by report in order of first note: the report's
        title, id and file, then `\\[n\\] (line k) “quote”` for each of its notes; a quote not found
        verbatim in its source text is flagged. "" when there are no notes."""
        groups: dict[str, list[Note]] = {}
        for note in self.notes():
            groups.setdefault(note.report_id, []).append(note)
        blocks = []
        for report_id, notes in groups.items():
            meta = self._meta.get(report_id, {})
            file = meta.get("source_file")
            file = "" if file is None or (not isinstance(file, str) and pd.isna(file)) else file
            title = meta.get("title") or report_id
            url = meta.get("source_url")
            url = f"; {escape(url)}" if isinstance(url, str) and url else ""
            shown = f"*{escape(title)}*" if lang == "vi" else f"[*{escape(title)}*]{{lang=vi}}"
            lines = [f"{shown} ({escape(report_id)}; {escape(file)}{url})", ""]
            text = self._sources.get(report_id)
            for note in notes:
                quote = f"“{escape(note.quote)}”"
                if lang != "vi":
                    quote = f"[{quote}]{{lang=vi}}"  # the quotes are Vietnamese on every page
                number = f"[\\[{note.number}\\]]{{#{note_id(note.number)}}}"
                line = locate(note.quote, text) if text is not None else None
                if text is not None and line is None:
                    where = str(i18n.t("quote_not_found", lang, file=file))
                elif line is not None:
                    where = str(i18n.t("quote_line", lang, line=str(line)))
                else:
                    where = str(i18n.t("quote_text", lang)) if file else ""
                if where and file and not where.startswith("⚠"):
                    where = f"[{where}]({source_href(file, line)}){{.gb-source}}"
                lines.append(f"- {number} ({where}) {quote}" if where else f"- {number} {quote}")
            blocks.append("\n".join(lines))
        return join(*blocks)


class SourcedPage:
    """What every page has: numbered notes (`self.notes`, filled as figures are shown), a sources
    section, and the analyst's own text in the page's language (`self.lang`)."""

    notes: Notes
    lang: str

    def sources(self) -> Any:
        """Return the sources section: every note shown so far, grouped by report, with its verbatim
        quote and the line where it stands in the source file. Call it last; empty when no figure
        was shown."""
        notes = self.notes.markdown(self.lang)
        if not notes:
            return EMPTY
        return md(heading(i18n.t("sources", self.lang)), i18n.t("sources_intro", self.lang), notes)

    def say(self, vi: str, en: str) -> Any:
        """Return the analyst's own Markdown in the page's language (`vi` or `en`), as written."""
        return md(i18n.pick(self.lang, vi, en))

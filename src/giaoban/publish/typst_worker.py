"""Typst in worker processes: the `typst` module keeps what it has compiled in memory for good (about
27 MB after each briefing), so the renderer compiles in processes that it replaces after a number of
PDFs (`giaoban.publish.pipeline`), which bounds the memory. A period's book is put together in such a
process too (`giaoban.publish.pdf.write_period_book`: Typst for its front matter, pypdf for the rest).

`compile_pdf` is what such a process runs for a briefing: the same call `giaoban.publish.pdf.write_book`
makes, with its result and Typst's error as plain, picklable values.
"""

from __future__ import annotations

from datetime import datetime

__all__ = ["compile_pdf", "TypstFailed"]


class TypstFailed(Exception):
    """Typst refused the document: `message` and `diagnostic` are Typst's."""

    def __init__(self, message: str, diagnostic: str = "") -> None:
        super().__init__(message, diagnostic)
        self.message, self.diagnostic = message, diagnostic


def compile_pdf(main: str, root: str, timestamp: str | None) -> tuple[bytes, list[str]]:
    """Compile the Typst file `main` (project folder `root`, fonts of the `typst` wheel only, the
    document dated `timestamp`, ISO) to PDF; return (PDF bytes, warning messages).

    Refuses (TypstFailed) what Typst cannot compile."""
    # imported when needed: it loads typst (start-up time)
    import typst

    when = datetime.fromisoformat(timestamp) if timestamp else None
    try:
        pdf, warnings = typst.compile_with_warnings(
            main, root=root, font_paths=[], ignore_system_fonts=True, timestamp=when, format="pdf"
        )
    except typst.TypstError as error:
        raise TypstFailed(str(error.message), str(error.diagnostic)) from None
    return pdf, [str(w.message) for w in warnings]

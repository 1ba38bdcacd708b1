"""Review sheets as an analyst fills them in (openpyxl), for the tests that feed them to `giaoban accept`."""

from __future__ import annotations

from giaoban.reading import review


def headers(ws) -> dict[str, int]:
    """Column number by header text of a sheet's first row."""
    return {c.value: c.column for c in ws[1] if c.value}


def accept_all(wb) -> None:
    """Decide every proposed row of the three sheets as an analyst would start: `nhận`, except `bỏ`
    for the figure that has no indicator."""
    for name in (review.FIGURES_SHEET, review.TASKS_SHEET, review.LEGAL_SHEET):
        ws = wb[name]
        h = headers(ws)
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, h["STT"]).value is not None:
                no_indicator = name == review.FIGURES_SHEET and ws.cell(r, h["Chỉ tiêu"]).value is None
                ws.cell(r, h["Quyết định"]).value = "bỏ" if no_indicator else "nhận"

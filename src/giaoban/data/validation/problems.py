"""Problems found in the data, each at `file:row:column`, and the report that collects them."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ERROR", "WARNING", "Problem", "Report"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem: where (`path`, `row` = line in the file, header = 1, `column` = its name) and what.

    `row` and `column` are None for a problem of the whole file. `message` is Vietnamese and says
    what was expected; a `warning` does not make the data invalid.
    """

    path: str
    row: int | None
    column: str | None
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        """Return True for an error, False for a warning."""
        return self.severity == ERROR

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.path, self.row, self.column) if p is not None)
        prefix = "" if self.is_error else "cảnh báo: "
        return f"{where}: {prefix}{self.message}"


@dataclass
class Report:
    """Every problem found by `validate_data`, in file order, then line, then column order.

    `ok` is True when there is no error (warnings allowed). `files` is the number of files read.
    """

    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[Problem]:
        """Return the errors (the problems that make the data invalid)."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """Return the warnings (printed, but the data stay valid)."""
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        """Return True when there is no error."""
        return not self.errors

    def lines(self) -> list[str]:
        """Return one line per problem: `path:row:column: message` (warnings: `…: cảnh báo: message`)."""
        return [str(p) for p in self.problems]

    def summary(self) -> str:
        """Return one Vietnamese sentence: how many errors and warnings in how many files."""
        n_err, n_warn = len(self.errors), len(self.warnings)
        if n_err:
            return f"dữ liệu KHÔNG hợp lệ: {n_err} lỗi, {n_warn} cảnh báo ({self.files} tệp đã đọc)"
        return f"dữ liệu hợp lệ: 0 lỗi, {n_warn} cảnh báo ({self.files} tệp đã đọc)"

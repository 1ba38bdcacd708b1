"""The errors a user can cause, each with a message that says where and what was expected."""

from __future__ import annotations


class GiaobanError(Exception):
    """A problem in the user's input or environment; the command line prints it without a traceback.

    The message is in Vietnamese and names the place (file, row, column or field) where one exists.
    """


class InputError(GiaobanError):
    """An input file or value is malformed: wrong encoding, missing field, unknown code…"""

    def __init__(
        self, message: str, *, path: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.path, self.row, self.column, self.detail = path, row, column, message
        where = ":".join(str(p) for p in (path, row, column) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)


class PeriodError(InputError):
    """A period code or phrase that cannot be read or does not exist (`2021-H3`, `13 tháng`)."""


class ProvinceError(InputError):
    """A province code or name that matches no unit, or more than one."""


class NumberError(InputError):
    """A number that is not written the Vietnamese way or is out of range."""


class RenderError(GiaobanError):
    """A page or a book could not be rendered (unreadable notebook, pandoc or Typst failed)."""

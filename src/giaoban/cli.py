"""The command line: `giaoban validate | extract | ingest | accept | form | build | serve`.

Each command is a thin call into the module that does the work. Errors a user can cause
(`GiaobanError`) are printed as one clear line, in Vietnamese, without a traceback, and the command
exits non-zero.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from giaoban.errors import GiaobanError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="giaoban: sổ tay giao ban của Sở Khoa học và Công nghệ các tỉnh (briefing books).",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _fail(error: GiaobanError) -> None:
    typer.echo(f"lỗi: {error}", err=True)
    raise typer.Exit(code=2)


@app.command()
def validate(
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: data/ của dự án)."),
) -> None:
    """Kiểm tra dữ liệu: thoát 0 khi hợp lệ; nếu không, in mỗi lỗi một dòng `tệp:dòng:cột: lỗi`."""
    from giaoban import validation

    try:
        report = validation.validate_data(data)
    except GiaobanError as error:
        _fail(error)
    for line in report.lines():
        typer.echo(line)
    typer.echo(report.summary(), err=True)
    raise typer.Exit(code=0 if report.ok else 1)


def main() -> None:  # pragma: no cover - the console script calls `app`
    """Entry point for `python -m giaoban`."""
    try:
        app()
    except GiaobanError as error:
        typer.echo(f"lỗi: {error}", err=True)
        sys.exit(2)

"""The command line: `giaoban validate | extract | ingest | accept | form | build | serve | preview`.

Each command is a thin call into the module that does the work. Errors a user can cause
(`GiaobanError`) are printed as one clear line, in Vietnamese, without a traceback, and the command
exits non-zero.

Every command works on a project (a folder holding `_quarto.yml` and `data/`, see `giaoban.paths`):
`--project DIR`, else `$GIAOBAN_ROOT`, else the nearest such folder from the current one up. Outside
any project a command says so and exits 2.

Register a command with `@_command(example=...)`: its docstring becomes the help (a paragraph per
blank-line-separated block, so the source's line breaks never show), the example ends the help, and
the usage line and the help option speak Vietnamese. Call `_use_project(project)` first in its body.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
import typer.rich_utils
from typer.core import TyperCommand, TyperGroup

from giaoban import paths
from giaoban.errors import GiaobanError

# ----------------------------------------------------------------------------------- Vietnamese help

# Typer's fixed strings (its rich help and error panels), in Vietnamese.
_RICH_STRINGS = {
    "DEFAULT_STRING": "[mặc định: {}]",
    "ENVVAR_STRING": "[biến môi trường: {}]",
    "REQUIRED_LONG_STRING": "[bắt buộc]",
    "DEPRECATED_STRING": "(không dùng nữa) ",
    "ARGUMENTS_PANEL_TITLE": "Đối số",
    "OPTIONS_PANEL_TITLE": "Tuỳ chọn",
    "COMMANDS_PANEL_TITLE": "Lệnh",
    "ERRORS_PANEL_TITLE": "Lỗi",
    "ABORTED_TEXT": "Đã dừng.",
    "RICH_HELP": "Xem hướng dẫn: [blue]{command_path} {help_option}[/]",
}
for _name, _text in _RICH_STRINGS.items():
    setattr(typer.rich_utils, _name, _text)
USAGE = "Cách dùng: "
HELP_OPTION = "Hiện hướng dẫn này rồi thoát."
OPTIONS_METAVAR = "[TUỲ CHỌN]"


def _reflow(doc: str | None) -> str:
    """Return `doc` with each paragraph (blocks separated by a blank line) on one line."""
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs)


class _Vietnamese:
    """What a command and the group share: the usage line's prefix and the help option's text."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option


class _Command(_Vietnamese, TyperCommand):
    """A Typer command whose usage line and help option are in Vietnamese."""


class _Group(_Vietnamese, TyperGroup):
    """The `giaoban` group, with its usage line and help option in Vietnamese."""


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    help="giaoban: sổ tay giao ban của Sở Khoa học và Công nghệ các tỉnh (briefing books).",
    epilog="Ví dụ: giaoban validate (trong thư mục dự án); giaoban build -h để xem hướng dẫn một lệnh.",
    options_metavar=OPTIONS_METAVAR,
    subcommand_metavar="LỆNH [ĐỐI SỐ]...",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _command(example: str) -> Callable[[F], F]:
    """Register a command whose help is its reflowed docstring, ending with `example`."""

    def register(function: F) -> F:
        app.command(
            cls=_Command, help=_reflow(function.__doc__), epilog=f"Ví dụ: {example}", options_metavar=OPTIONS_METAVAR
        )(function)
        return function

    return register


# ----------------------------------------------------------------------------------- the project

PROJECT_HELP = (
    "Thư mục dự án (có _quarto.yml và data/); mặc định: $GIAOBAN_ROOT, hoặc thư mục gần nhất "
    "có hai thứ đó tính từ thư mục hiện tại trở lên."
)


def _project_option() -> Any:
    return typer.Option(None, "--project", help=PROJECT_HELP, show_default=False)


@app.callback()
def _main(ctx: typer.Context) -> None:
    """giaoban: sổ tay giao ban của Sở Khoa học và Công nghệ các tỉnh (briefing books)."""
    saved_root, saved_env = paths.given_root(), os.environ.get(paths.ROOT_ENV)

    def restore() -> None:  # a command's project lasts as long as the command (tests invoke many in one process)
        paths.set_root(saved_root)
        if saved_env is None:
            os.environ.pop(paths.ROOT_ENV, None)
        else:
            os.environ[paths.ROOT_ENV] = saved_env

    ctx.call_on_close(restore)


def _use_project(project: Path | None) -> Path:
    """Return the command's project (`--project`, else `$GIAOBAN_ROOT`, else found from the current
    folder up) and name it in `$GIAOBAN_ROOT` for the processes the command starts; exits 2 outside
    any project."""
    try:
        root = paths.set_root(project) if project is not None else paths.project_root()
    except GiaobanError as error:
        _fail(error)
    os.environ[paths.ROOT_ENV] = str(root)
    _finish_interrupted_accept()
    return root


def _finish_interrupted_accept() -> None:
    """Before any command: finish a `giaoban accept` of the project's data folder that was killed half-way."""
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.data.journal import recover_unlocked_or_skip
    from giaoban.data.validation import default_data_dir

    try:
        for note in recover_unlocked_or_skip(default_data_dir()):
            typer.echo(f"lưu ý: {note}", err=True)
    except GiaobanError as error:
        _fail(error)


class _Invalid(typer.BadParameter):
    """A bad option value, said in Vietnamese (Typer's own says `Invalid value for …`)."""

    def format_message(self) -> str:
        hint = self.param.get_error_hint() if self.param is not None else None
        return f"giá trị không hợp lệ cho {hint}: {self.message}" if hint else f"giá trị không hợp lệ: {self.message}"


def _at_least(low: int, high: int | None = None) -> Callable[[int | None], int | None]:
    """Return a Typer callback refusing, in Vietnamese, an integer below `low` (or above `high`)."""

    def check(value: int | None) -> int | None:
        if value is not None and (value < low or (high is not None and value > high)):
            wanted = f"từ {low} đến {high}" if high is not None else f"từ {low} trở lên"
            raise _Invalid(f"cần một số nguyên {wanted}, nhận được {value}")
        return value

    return check


def _fail(error: GiaobanError, code: int = 2) -> NoReturn:
    typer.echo(f"lỗi: {error}", err=True)
    raise typer.Exit(code=code)


def _say_converted(paths: list[Path]) -> None:
    """Tell, on standard error, which report files were not UTF-8 and were converted (Windows-1258, UTF-16)."""
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.domain.report_text import ENCODING_NAMES, read_report_as

    for path in paths:
        try:
            decoded = read_report_as(path)
        except GiaobanError:
            continue  # the command itself reports it
        if decoded.converted:
            typer.echo(
                f"lưu ý: {path}: tệp dùng bảng mã {ENCODING_NAMES[decoded.encoding]}, đã chuyển sang UTF-8 "
                f"(NFC) để đọc",
                err=True,
            )


@_command(example="giaoban validate --data data/")
def validate(
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: $GIAOBAN_DATA hoặc data/ của dự án)."),
    project: Path | None = _project_option(),
) -> None:
    """Kiểm tra dữ liệu: in mỗi vấn đề một dòng `tệp:dòng:cột: lỗi` (cảnh báo: `tệp:dòng:cột: cảnh báo: …`);
    thoát 0 khi không có lỗi (cảnh báo không tính), 1 khi có lỗi."""
    _use_project(project)
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.data import validation
    from giaoban.data.journal import recover_unlocked_or_skip

    try:
        if data is not None:  # (the default folder was recovered before the command)
            for note in recover_unlocked_or_skip(data):
                typer.echo(f"lưu ý: {note}", err=True)
        report = validation.validate_data(data)
    except GiaobanError as error:
        _fail(error)
    for line in report.lines():
        typer.echo(line)
    typer.echo(report.summary(), err=True)
    raise typer.Exit(code=0 if report.ok else 1)


@_command(example="giaoban extract data/sources/000_c13fdb305f2800c7.txt --format csv")
def extract(
    files: list[Path] = typer.Argument(..., help="Các tệp văn bản báo cáo (UTF-8)."),
    format: str = typer.Option("json", "--format", "-f", help="json (mặc định) hoặc csv (mỗi số liệu một dòng)."),
    project: Path | None = _project_option(),
) -> None:
    """Đọc văn bản báo cáo, in các số liệu, nhiệm vụ trọng tâm và văn bản pháp lý tìm được (không ghi vào data/)."""
    _use_project(project)
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.reading.extract import extract_file
    from giaoban.reading.extract.output import write_csv, write_json

    if format not in ("json", "csv"):
        _fail(GiaobanError(f"--format “{format}” không hợp lệ: chọn json hoặc csv"))
    try:
        documents = [extract_file(path) for path in files]
    except GiaobanError as error:
        _fail(error)
    _say_converted(files)
    (write_json if format == "json" else write_csv)(documents, sys.stdout)


@_command(example="giaoban ingest bao-cao.txt -o bao-cao-review.xlsx")
def ingest(
    report: Path = typer.Argument(..., help="Tệp văn bản báo cáo (UTF-8)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Bảng xét duyệt .xlsx (mặc định: <tên tệp>-review.xlsx)."
    ),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: $GIAOBAN_DATA hoặc data/ của dự án)."),
    force: bool = typer.Option(False, "--force", help="Ghi đè bảng xét duyệt đã có."),
    project: Path | None = _project_option(),
) -> None:
    """Trích số liệu từ văn bản báo cáo và ghi bảng xét duyệt Excel (không ghi gì vào data/; văn bản được
    chép vào data/sources/ khi chạy `giaoban accept`)."""
    _use_project(project)
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.reading import review

    try:
        result = review.write_review(report, out, data, force=force)
    except GiaobanError as error:
        _fail(error)
    _say_converted([report])
    for warning in result.warnings:
        typer.echo(f"cảnh báo: {warning}", err=True)
    typer.echo(
        f"đã ghi {result.path}: {result.figures} số liệu, {result.focus_tasks} nhiệm vụ trọng tâm, "
        f"{result.legal_refs} văn bản pháp lý; mã báo cáo đề xuất: {result.report_id or '(chưa rõ tỉnh)'}. "
        f"Điền cột “Quyết định” rồi chạy: giaoban accept {result.path}"
    )


@_command(example="giaoban accept bao-cao-review.xlsx")
def accept(
    workbook: Path = typer.Argument(..., help="Bảng xét duyệt (giaoban ingest) hoặc phiếu nhập (giaoban form), .xlsx."),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: $GIAOBAN_DATA hoặc data/ của dự án)."),
    project: Path | None = _project_option(),
) -> None:
    """Đọc bảng đã duyệt, kiểm tra toàn bộ dữ liệu cùng các dòng mới, rồi mới ghi vào data/.

    Có lỗi: in mỗi lỗi một dòng `tệp:Trang!dòng:Cột: lỗi`, thoát 1, không ghi gì."""
    _use_project(project)
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.reading import accept as accepting
    from giaoban.reading.workbook import WorkbookError

    try:
        result = accepting.accept(workbook, data)
    except WorkbookError as error:
        for line in error.lines:
            typer.echo(line)
        typer.echo(f"lỗi: {len(error.lines)} lỗi; không ghi gì vào dữ liệu", err=True)
        raise typer.Exit(code=1) from None
    except GiaobanError as error:
        from giaoban.locks import BuildLocked  # imported when the command runs: `giaoban --help` stays fast

        _fail(error, 3 if isinstance(error, BuildLocked) else 2)
    for line in result.warnings:
        typer.echo(line)
    written = ", ".join(str(p) for p in result.written)
    typer.echo(
        f"đã nhận báo cáo {result.report_id}: {result.figures} số liệu, {result.focus_tasks} nhiệm vụ trọng "
        f"tâm, {result.legal_refs} văn bản pháp lý; đã ghi {written}",
        err=True,
    )


@_command(example="giaoban form --province 51 --period 2021-H1 -o phieu-nhap.xlsx")
def form(
    province: str = typer.Option(..., "--province", help="Mã GSO (51) hoặc tên tỉnh."),
    period: str = typer.Option(..., "--period", help="Kỳ báo cáo: 2021-H1, 2020-9M, 2018-FY…"),
    out: Path = typer.Option(..., "--out", "-o", help="Phiếu nhập .xlsx cần ghi."),
    meeting_type: str | None = typer.Option(None, "--meeting-type", help="giao ban, sơ kết, tổng kết, hội nghị…"),
    meeting_date: str | None = typer.Option(None, "--meeting-date", help="Ngày họp: 23/07/2021 hoặc 2021-07-23."),
    published: str | None = typer.Option(None, "--published", help="Ngày của báo cáo giấy."),
    title: str | None = typer.Option(None, "--title", help="Tiêu đề báo cáo."),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: $GIAOBAN_DATA hoặc data/ của dự án)."),
    force: bool = typer.Option(False, "--force", help="Ghi đè phiếu đã có."),
    project: Path | None = _project_option(),
) -> None:
    """Ghi phiếu nhập Excel cho báo cáo giấy hoặc bản scan: mỗi chỉ tiêu một dòng; nhận lại bằng `giaoban accept`."""
    _use_project(project)
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.reading.form import write_form

    try:
        result = write_form(
            province,
            period,
            out,
            data,
            meeting_type=meeting_type,
            meeting_date=meeting_date,
            published=published,
            title=title,
            force=force,
        )
    except GiaobanError as error:
        _fail(error)
    for warning in result.warnings:
        typer.echo(warning, err=True)
    typer.echo(
        f"đã ghi {result.path}: {result.indicators} chỉ tiêu; mã báo cáo đề xuất {result.report_id}. "
        f"Điền số liệu rồi chạy: giaoban accept {result.path}"
    )


@_command(example="giaoban build params/meetings/51-quang-ngai-2021-H1.yml --jobs 2")
def build(
    params: list[Path] | None = typer.Argument(
        None,
        help="Tệp tham số (params/meetings/*.yml, params/batches/*.yml) hoặc thư mục của chúng; "
        "mặc định: params/batches/all.yml (mọi thứ dữ liệu cho phép).",
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", callback=_at_least(1), help="Số sổ tay chạy song song (mặc định: số lõi CPU)."
    ),
    renderer: str = typer.Option("auto", "--renderer", help="auto | quarto | builtin."),
    out: Path = typer.Option(None, "--out", help="Thư mục trang web (mặc định: _site/)."),
    engine: str = typer.Option(
        "giaoban-fork",
        "--engine",
        help="Bộ máy thực thi: giaoban-fork (mặc định: kernel tách từ một tiến trình mẫu đã nạp "
        "sẵn thư viện và dữ liệu), papermill (mỗi kernel một Python mới), hoặc một bộ máy "
        "cắm vào 'papermill.engine'.",
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Chạy sổ tay trên một cụm Dask có sẵn (tcp://MÁY:CỔNG); máy này ghi kết quả và dựng trang web.",
    ),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: data/ của dự án)."),
    no_render: bool = typer.Option(False, "--no-render", help="Chỉ thực thi sổ tay, không dựng trang web."),
    public: bool = typer.Option(
        False,
        "--public",
        help="Bản công khai: bỏ mọi báo cáo và số liệu có visibility=internal khỏi mọi "
        "trang, PDF, chỉ mục tìm kiếm và tệp tải về.",
    ),
    made_on: str | None = typer.Option(
        None,
        "--date",
        help="Ngày lập ghi trên PDF và trang web (YYYY-MM-DD; mặc định: khoá date: "
        "của tệp lô, hoặc $SOURCE_DATE_EPOCH, hoặc hôm nay). Cùng ngày lập "
        "thì dựng lại ra đúng từng byte.",
    ),
    max_jobs: int | None = typer.Option(
        None, "--max-jobs", min=1, help="Cho phép dựng nhiều trang hơn giới hạn 5.000 trang một lần dựng."
    ),
    project: Path | None = _project_option(),
) -> None:
    """Kiểm tra dữ liệu, thực thi các sổ tay đã thay đổi (song song, có bộ nhớ đệm) rồi dựng trang web.

    Một sổ tay lỗi không dừng các sổ tay khác: lệnh thoát 1 và bản tóm tắt chỉ ra sổ tay đã thực thi
    của từng trang lỗi, nơi Papermill đánh dấu ô lỗi. Dữ liệu chưa hợp lệ: thoát 1; tham số sai: thoát 2;
    một lần dựng khác đang chạy trên cùng thư mục _build/: thoát 3; trong các trường hợp này không sổ tay
    nào chạy. Các trang của lần dựng trước còn đúng với dữ liệu được giữ lại trên trang web.
    """
    # imported when the command runs: `giaoban --help` stays fast
    import signal
    import time

    _use_project(project)
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.build import pipeline as build_module

    started = time.monotonic()

    def interrupted(signum: int, frame: object) -> None:
        typer.echo("Ctrl+C: đang dừng các sổ tay đang chạy và dọn thư mục tạm…", err=True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)
    try:
        options = build_module.BuildOptions(
            params or None,
            workers=jobs,
            renderer=renderer,
            out=out,
            engine=engine,
            data_dir=data,
            render=not no_render,
            public=public,
            scheduler=scheduler,
            made_on=made_on,
            max_jobs=max_jobs,
            echo=lambda line: typer.echo(line, err=True),
        )
        result = build_module.build(options)
    except build_module.DataInvalid as error:
        for line in error.lines:
            typer.echo(line)
        typer.echo("lỗi: dữ liệu chưa hợp lệ, không dựng gì (giaoban validate để xem)", err=True)
        raise typer.Exit(code=1) from None
    except build_module.BuildLocked as error:
        _fail(error, code=3)
    except KeyboardInterrupt:
        typer.echo(
            f"đã dừng theo Ctrl+C sau {time.monotonic() - started:.0f} giây: trang web đã dựng trước đó còn "
            f"nguyên; các sổ tay đã chạy xong được giữ trong bộ nhớ đệm, lần dựng sau dùng lại",
            err=True,
        )
        # The build's own clean-up has run (lock, scratch folder, fork server). Leave now: Python's exit
        # would wait for the pool's threads and processes, which end by themselves once this process is
        # gone (`execute._exit_with`), for seconds or, seen here, for good.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    except GiaobanError as error:
        _fail(error)
    for line in result.summary_lines():
        typer.echo(line)
    raise typer.Exit(code=result.exit_code)


@_command(example="giaoban serve --port 8080")
def serve(
    site: Path = typer.Option(None, "--dir", help="Thư mục trang web (mặc định: _site/ của dự án)."),
    port: int = typer.Option(8000, "--port", callback=_at_least(0, 65535), help="Cổng trên 127.0.0.1."),
    project: Path | None = _project_option(),
) -> None:
    """Xem trước trang web đã dựng tại http://127.0.0.1:<cổng>/ (chỉ máy này; Ctrl+C để dừng)."""
    _use_project(project)
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.publish.serve import serve as serve_site

    try:
        serve_site(site or paths.SITE, port, announce=lambda line: typer.echo(line, err=True))
    except GiaobanError as error:
        _fail(error)


@_command(example="giaoban preview params/meetings/51-quang-ngai-2021-H1.yml")
def preview(
    params: list[Path] | None = typer.Argument(
        None, help="Tệp tham số như của `giaoban build` (mặc định: params/batches/all.yml); nên chọn một cuộc họp."
    ),
    port: int = typer.Option(
        8000, "--port", callback=_at_least(0, 65535), help="Cổng trên 127.0.0.1 (đang bận thì dùng một cổng trống)."
    ),
    jobs: int | None = typer.Option(None, "--jobs", "-j", callback=_at_least(1), help="Số sổ tay chạy song song."),
    renderer: str = typer.Option("auto", "--renderer", help="auto | quarto | builtin."),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: data/ của dự án)."),
    project: Path | None = _project_option(),
) -> None:
    """Dựng trang web, mở xem trước tại http://127.0.0.1:<cổng>/ và dựng lại phần bị ảnh hưởng mỗi khi lưu tệp
    trong data/, notebooks/, params/ hoặc _quarto.yml; các tab đang mở tự tải lại. Lỗi (dòng CSV sai, sổ tay
    lỗi) hiện trên trang và ở đây, trang giữ bản tốt gần nhất. Ctrl+C để dừng."""
    _use_project(project)
    # imported when the command runs: `giaoban --help` stays fast
    from giaoban.build.preview import CodeChanged, preview as run_preview

    try:
        run_preview(
            params or None,
            port=port,
            workers=jobs,
            renderer=renderer,
            data_dir=data,
            echo=lambda line: typer.echo(line, err=True),
        )
    except CodeChanged:
        sys.stderr.flush()
        # start again as the same process (same pid, same port): no import of the old code survives
        os.execv(sys.executable, [sys.executable, "-m", "giaoban", *sys.argv[1:]])
    except GiaobanError as error:
        _fail(error)


def main() -> None:  # pragma: no cover - the console script calls `app`
    """Entry point for `python -m giaoban`."""
    try:
        app()
    except GiaobanError as error:
        typer.echo(f"lỗi: {error}", err=True)
        sys.exit(2)

"""The command line: `giaoban validate | extract | ingest | accept | form | build | serve | preview`.

Each command is a thin call into the module that does the work. Errors a user can cause
(`GiaobanError`) are printed as one clear line, in Vietnamese, without a traceback, and the command
exits non-zero.
"""

from __future__ import annotations

import os
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


@app.callback()
def _start() -> None:
    """Before any command: finish a `giaoban accept` of the default data folder that was killed half-way."""
    from giaoban.journal import recover_unlocked_or_skip
    from giaoban.validation import default_data_dir

    try:
        for note in recover_unlocked_or_skip(default_data_dir()):
            typer.echo(f"lưu ý: {note}", err=True)
    except GiaobanError as error:
        _fail(error)


def _fail(error: GiaobanError, code: int = 2) -> None:
    typer.echo(f"lỗi: {error}", err=True)
    raise typer.Exit(code=code)


def _say_converted(paths: List[Path]) -> None:
    """Tell, on standard error, which report files were not UTF-8 and were converted (Windows-1258, UTF-16)."""
    from giaoban.extract.reading import ENCODING_NAMES, read_report_as

    for path in paths:
        try:
            decoded = read_report_as(path)
        except GiaobanError:
            continue  # the command itself reports it
        if decoded.converted:
            typer.echo(f"lưu ý: {path}: tệp dùng bảng mã {ENCODING_NAMES[decoded.encoding]}, đã chuyển sang UTF-8 "
                       f"(NFC) để đọc", err=True)


@app.command()
def validate(
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: $GIAOBAN_DATA hoặc data/ của dự án)."),
) -> None:
    """Kiểm tra dữ liệu: in mỗi vấn đề một dòng `tệp:dòng:cột: lỗi` (cảnh báo: `tệp:dòng:cột: cảnh báo: …`);
    thoát 0 khi không có lỗi (cảnh báo không tính), 1 khi có lỗi."""
    from giaoban import validation
    from giaoban.journal import recover_unlocked_or_skip

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


@app.command()
def extract(
    files: List[Path] = typer.Argument(..., help="Các tệp văn bản báo cáo (UTF-8)."),
    format: str = typer.Option("json", "--format", "-f", help="json (mặc định) hoặc csv (mỗi số liệu một dòng)."),
) -> None:
    """Đọc văn bản báo cáo, in các số liệu, nhiệm vụ trọng tâm và văn bản pháp lý tìm được (không ghi vào data/)."""
    from giaoban.extract import extract_file
    from giaoban.extract.output import write_csv, write_json

    if format not in ("json", "csv"):
        _fail(GiaobanError(f"--format “{format}” không hợp lệ: chọn json hoặc csv"))
    try:
        documents = [extract_file(path) for path in files]
    except GiaobanError as error:
        _fail(error)
    _say_converted(files)
    (write_json if format == "json" else write_csv)(documents, sys.stdout)


@app.command()
def ingest(
    report: Path = typer.Argument(..., help="Tệp văn bản báo cáo (UTF-8)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Bảng xét duyệt .xlsx (mặc định: <tên tệp>-review.xlsx)."),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: $GIAOBAN_DATA hoặc data/ của dự án)."),
    force: bool = typer.Option(False, "--force", help="Ghi đè bảng xét duyệt đã có."),
) -> None:
    """Trích số liệu từ văn bản báo cáo và ghi bảng xét duyệt Excel (không ghi gì vào data/; văn bản được
    chép vào data/sources/ khi chạy `giaoban accept`)."""
    from giaoban import review

    try:
        result = review.write_review(report, out, data, force=force)
    except GiaobanError as error:
        _fail(error)
    _say_converted([report])
    for warning in result.warnings:
        typer.echo(f"cảnh báo: {warning}", err=True)
    typer.echo(f"đã ghi {result.path}: {result.figures} số liệu, {result.focus_tasks} nhiệm vụ trọng tâm, "
               f"{result.legal_refs} văn bản pháp lý; mã báo cáo đề xuất: {result.report_id or '(chưa rõ tỉnh)'}. "
               f"Điền cột “Quyết định” rồi chạy: giaoban accept {result.path}")


@app.command()
def accept(
    workbook: Path = typer.Argument(..., help="Bảng xét duyệt (giaoban ingest) hoặc phiếu nhập (giaoban form), .xlsx."),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: $GIAOBAN_DATA hoặc data/ của dự án)."),
) -> None:
    """Đọc bảng đã duyệt, kiểm tra toàn bộ dữ liệu cùng các dòng mới, rồi mới ghi vào data/.

    Có lỗi: in mỗi lỗi một dòng `tệp:Trang!dòng:Cột: lỗi`, thoát 1, không ghi gì."""
    from giaoban import review
    from giaoban.workbook import WorkbookError

    try:
        result = review.accept(workbook, data)
    except WorkbookError as error:
        for line in error.lines:
            typer.echo(line)
        typer.echo(f"lỗi: {len(error.lines)} lỗi; không ghi gì vào dữ liệu", err=True)
        raise typer.Exit(code=1)
    except GiaobanError as error:
        from giaoban.build import BuildLocked

        _fail(error, 3 if isinstance(error, BuildLocked) else 2)
    for line in result.warnings:
        typer.echo(line)
    written = ", ".join(str(p) for p in result.written)
    typer.echo(f"đã nhận báo cáo {result.report_id}: {result.figures} số liệu, {result.focus_tasks} nhiệm vụ trọng "
               f"tâm, {result.legal_refs} văn bản pháp lý; đã ghi {written}", err=True)


@app.command()
def form(
    province: str = typer.Option(..., "--province", help="Mã GSO (51) hoặc tên tỉnh."),
    period: str = typer.Option(..., "--period", help="Kỳ báo cáo: 2021-H1, 2020-9M, 2018-FY…"),
    out: Path = typer.Option(..., "--out", "-o", help="Phiếu nhập .xlsx cần ghi."),
    meeting_type: Optional[str] = typer.Option(None, "--meeting-type", help="giao ban, sơ kết, tổng kết, hội nghị…"),
    meeting_date: Optional[str] = typer.Option(None, "--meeting-date", help="Ngày họp: 23/07/2021 hoặc 2021-07-23."),
    published: Optional[str] = typer.Option(None, "--published", help="Ngày của báo cáo giấy."),
    title: Optional[str] = typer.Option(None, "--title", help="Tiêu đề báo cáo."),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: $GIAOBAN_DATA hoặc data/ của dự án)."),
    force: bool = typer.Option(False, "--force", help="Ghi đè phiếu đã có."),
) -> None:
    """Ghi phiếu nhập Excel cho báo cáo giấy hoặc bản scan: mỗi chỉ tiêu một dòng; nhận lại bằng `giaoban accept`."""
    from giaoban.form import write_form

    try:
        result = write_form(province, period, out, data, meeting_type=meeting_type, meeting_date=meeting_date,
                            published=published, title=title, force=force)
    except GiaobanError as error:
        _fail(error)
    for warning in result.warnings:
        typer.echo(warning, err=True)
    typer.echo(f"đã ghi {result.path}: {result.indicators} chỉ tiêu; mã báo cáo đề xuất {result.report_id}. "
               f"Điền số liệu rồi chạy: giaoban accept {result.path}")


@app.command()
def build(
    params: Optional[List[Path]] = typer.Argument(
        None, help="Tệp tham số (params/meetings/*.yml, params/batches/*.yml) hoặc thư mục của chúng; "
                   "mặc định: params/batches/all.yml (mọi thứ dữ liệu cho phép)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Số sổ tay chạy song song (mặc định: số lõi CPU)."),
    renderer: str = typer.Option("auto", "--renderer", help="auto | quarto | builtin."),
    out: Path = typer.Option(None, "--out", help="Thư mục trang web (mặc định: _site/)."),
    engine: str = typer.Option("giaoban-fork", "--engine",
                               help="Bộ máy thực thi: giaoban-fork (mặc định: kernel tách từ một tiến trình mẫu đã nạp "
                                    "sẵn thư viện và dữ liệu), papermill (mỗi kernel một Python mới), hoặc một bộ máy "
                                    "cắm vào 'papermill.engine'."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                            help="Chạy sổ tay trên một cụm Dask có sẵn (tcp://MÁY:CỔNG); máy này ghi "
                                                 "kết quả và dựng trang web."),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: data/ của dự án)."),
    no_render: bool = typer.Option(False, "--no-render", help="Chỉ thực thi sổ tay, không dựng trang web."),
    public: bool = typer.Option(False, "--public",
                                help="Bản công khai: bỏ mọi báo cáo và số liệu có visibility=internal khỏi mọi "
                                     "trang, PDF, chỉ mục tìm kiếm và tệp tải về."),
    made_on: Optional[str] = typer.Option(None, "--date",
                                          help="Ngày lập ghi trên PDF và trang web (YYYY-MM-DD; mặc định: khoá date: "
                                               "của tệp lô, hoặc $SOURCE_DATE_EPOCH, hoặc hôm nay). Cùng ngày lập "
                                               "thì dựng lại ra đúng từng byte."),
    max_jobs: Optional[int] = typer.Option(None, "--max-jobs", min=1,
                                           help="Cho phép dựng nhiều trang hơn giới hạn 5.000 trang một lần dựng."),
) -> None:
    """Kiểm tra dữ liệu, thực thi các sổ tay đã thay đổi (song song, có bộ nhớ đệm) rồi dựng trang web.

    Một sổ tay lỗi không dừng các sổ tay khác: lệnh thoát 1 và bản tóm tắt chỉ ra sổ tay đã thực thi
    của từng trang lỗi, nơi Papermill đánh dấu ô lỗi. Dữ liệu chưa hợp lệ: thoát 1; tham số sai: thoát 2;
    một lần dựng khác đang chạy trên cùng thư mục _build/: thoát 3; trong các trường hợp này không sổ tay
    nào chạy. Các trang của lần dựng trước còn đúng với dữ liệu được giữ lại trên trang web.
    """
    import signal
    import time

    from giaoban import build as build_module

    started = time.monotonic()

    def interrupted(signum: int, frame: object) -> None:
        typer.echo("Ctrl+C: đang dừng các sổ tay đang chạy và dọn thư mục tạm…", err=True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)
    try:
        result = build_module.build(params or None, workers=jobs, renderer=renderer, out=out, engine=engine,
                                    data_dir=data, render=not no_render, public=public, scheduler=scheduler,
                                    made_on=made_on, max_jobs=max_jobs,
                                    echo=lambda line: typer.echo(line, err=True))
    except build_module.DataInvalid as error:
        for line in error.lines:
            typer.echo(line)
        typer.echo("lỗi: dữ liệu chưa hợp lệ, không dựng gì (giaoban validate để xem)", err=True)
        raise typer.Exit(code=1)
    except build_module.BuildLocked as error:
        _fail(error, code=3)
    except KeyboardInterrupt:
        typer.echo(f"đã dừng theo Ctrl+C sau {time.monotonic() - started:.0f} giây: trang web đã dựng trước đó còn "
                   f"nguyên; các sổ tay đã chạy xong được giữ trong bộ nhớ đệm, lần dựng sau dùng lại", err=True)
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


@app.command()
def serve(
    site: Path = typer.Option(None, "--dir", help="Thư mục trang web (mặc định: _site/ của dự án)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Cổng trên 127.0.0.1 (mặc định 8000)."),
) -> None:
    """Xem trước trang web đã dựng tại http://127.0.0.1:<cổng>/ (chỉ máy này; Ctrl+C để dừng)."""
    from giaoban import paths
    from giaoban.render.serve import serve as serve_site

    try:
        serve_site(site or paths.SITE, port, announce=lambda line: typer.echo(line, err=True))
    except GiaobanError as error:
        _fail(error)


@app.command()
def preview(
    params: Optional[List[Path]] = typer.Argument(
        None, help="Tệp tham số như của `giaoban build` (mặc định: params/batches/all.yml); nên chọn một cuộc họp."),
    port: int = typer.Option(8000, "--port", min=0, max=65535,
                             help="Cổng trên 127.0.0.1 (mặc định 8000; đang bận thì dùng một cổng trống)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Số sổ tay chạy song song."),
    renderer: str = typer.Option("auto", "--renderer", help="auto | quarto | builtin."),
    data: Path = typer.Option(None, "--data", help="Thư mục dữ liệu (mặc định: data/ của dự án)."),
) -> None:
    """Dựng trang web, mở xem trước tại http://127.0.0.1:<cổng>/ và dựng lại phần bị ảnh hưởng mỗi khi lưu tệp
    trong data/, notebooks/, params/ hoặc _quarto.yml; các tab đang mở tự tải lại. Lỗi (dòng CSV sai, sổ tay
    lỗi) hiện trên trang và ở đây, trang giữ bản tốt gần nhất. Ctrl+C để dừng."""
    import os

    from giaoban.preview import CodeChanged, preview as run_preview

    try:
        run_preview(params or None, port=port, workers=jobs, renderer=renderer, data_dir=data,
                    echo=lambda line: typer.echo(line, err=True))
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

"""`giaoban … --help` reads well: Vietnamese throughout, no sentence broken by the source's line
breaks, one example at the end; and a bad option value is refused in Vietnamese."""

from __future__ import annotations

import inspect
import re

import pytest
from typer.testing import CliRunner

from giaoban.cli import app

COMMANDS = ("validate", "extract", "ingest", "accept", "form", "build", "serve")
ENGLISH = ("Usage:", "Options", "Arguments", "[default:", "Show this message", "[required]", "Commands")


def _help(*args: str, width: int = 80) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], prog_name="giaoban", env={"COLUMNS": str(width), "TERMINAL_WIDTH": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def _callback(name: str):
    return next(c.callback for c in app.registered_commands if c.callback.__name__ == name)


@pytest.mark.parametrize("name", COMMANDS)
def test_each_paragraph_of_a_command_help_is_one_line_on_a_wide_terminal(name):
    """On a terminal wide enough, a paragraph is one line: the docstring's hard line breaks never show."""
    shown = [line.strip() for line in _help(name, width=2000).splitlines()]
    paragraphs = inspect.cleandoc(_callback(name).__doc__).split("\n\n")
    for paragraph in paragraphs:
        assert " ".join(line.strip() for line in paragraph.splitlines()) in shown, paragraph


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_help_is_in_vietnamese_and_ends_with_one_example(name):
    text = _help(name)
    assert text.strip().startswith(f"Cách dùng: giaoban {name} [TUỲ CHỌN]")
    assert "Tuỳ chọn" in text and "Hiện hướng dẫn này rồi thoát." in text and "--project" in text
    assert not [word for word in ENGLISH if word in text]
    last = text.strip().splitlines()[-1].strip()
    assert last.startswith(f"Ví dụ: giaoban {name} ") and text.count("Ví dụ:") == 1
    # the example uses only options the command has
    command = _click_command(name)
    for opt in re.findall(r"(?<!\S)(--?[a-z][\w-]*)", last):
        assert any(opt in p.opts for p in command.params), (name, opt)


def _click_command(name: str):
    import typer.main

    return typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]


def test_defaults_are_said_in_vietnamese():
    text = _help("build", width=200)
    assert "[mặc định: auto]" in text and "[mặc định: giaoban-fork]" in text


def test_the_top_level_help_lists_the_commands_in_vietnamese():
    text = _help()
    assert text.strip().startswith("Cách dùng: giaoban [TUỲ CHỌN] LỆNH [ĐỐI SỐ]...")
    assert "Lệnh" in text and all(name in text for name in COMMANDS)
    assert not [word for word in ENGLISH if word in text]


@pytest.mark.parametrize(("args", "said"), [
    (["build", "--jobs", "0"], "giá trị không hợp lệ cho '--jobs' / '-j': cần một số nguyên từ 1 trở lên, nhận được 0"),
    (["build", "-j", "-3"], "cần một số nguyên từ 1 trở lên, nhận được -3"),
    (["serve", "--port", "70000"], "giá trị không hợp lệ cho '--port': cần một số nguyên từ 0 đến 65535, nhận được 70000"),
])
def test_an_out_of_range_number_is_refused_in_vietnamese(args, said):
    result = CliRunner().invoke(app, args, prog_name="giaoban", env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert said in result.output and "Lỗi" in result.output
    assert "Cách dùng: giaoban" in result.output and "Invalid value" not in result.output

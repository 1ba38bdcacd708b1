"""Which project a command works on: `--project`, `$GIAOBAN_ROOT`, or the nearest folder with
`_quarto.yml` and `data/` from where it is run; outside any project it says so and exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from giaoban import paths
from giaoban.cli import app

REPO = Path(__file__).resolve().parents[1]


def _project(folder: Path) -> Path:
    """A minimal project folder (what makes one: `_quarto.yml` and `data/`)."""
    (folder / "data").mkdir(parents=True)
    (folder / "_quarto.yml").write_text("project:\n  type: website\n", encoding="utf-8")
    return folder


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """The current folder is in no project and nothing names one."""
    folder = tmp_path / "unrelated"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)
    monkeypatch.delenv("GIAOBAN_DATA", raising=False)
    return folder


def test_the_project_is_found_walking_up_from_the_current_folder(tmp_path, monkeypatch):
    root = _project(tmp_path / "proj")
    deep = root / "notebooks" / "drafts"
    deep.mkdir(parents=True)
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)
    monkeypatch.chdir(deep)
    assert paths.project_root() == root.resolve()
    assert paths.DATA == root.resolve() / "data" and paths.SITE == root.resolve() / "_site"
    # a folder with only one of the two marks is not a project
    (tmp_path / "half" / "data").mkdir(parents=True)
    assert paths.find_project(tmp_path / "half") is None


def test_giaoban_root_names_the_project_outright_and_a_wrong_one_is_refused(tmp_path, monkeypatch):
    root = _project(tmp_path / "proj")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    assert paths.ROOT == root.resolve()
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path))
    with pytest.raises(paths.ProjectNotFound, match=r"\$GIAOBAN_ROOT.*không phải thư mục dự án.*data/"):
        paths.project_root()
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path / "missing"))
    with pytest.raises(paths.ProjectNotFound, match="thư mục dự án .* không có"):
        paths.project_root()


def test_outside_any_project_there_is_no_fallback_to_the_install_folder(nowhere):
    with pytest.raises(paths.ProjectNotFound, match="không tìm thấy dự án giaoban"):
        paths.DATA  # noqa: B018 - reading it is the test
    assert paths.find_project() is None


def test_a_command_run_outside_any_project_says_so_and_exits_2(nowhere):
    for args in (["validate"], ["build", "--no-render"], ["extract", str(REPO / "data" / "sources" / "x.txt")]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "không tìm thấy dự án giaoban" in result.output and "--project" in result.output
    assert list(nowhere.iterdir()) == []  # nothing written where it was run


def test_validate_from_an_unrelated_folder_as_a_user_runs_it(nowhere):
    """The console script, in a fresh process, run where there is no project (it used to validate the
    data of the folder the package was installed from)."""
    env = {k: v for k, v in os.environ.items() if k not in (paths.ROOT_ENV, "GIAOBAN_DATA")}
    script = Path(sys.executable).with_name("giaoban")
    done = subprocess.run([str(script), "validate"], cwd=nowhere, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done
    assert done.stderr.startswith("lỗi: không tìm thấy dự án giaoban") and "Traceback" not in done.stderr
    done = subprocess.run([str(script), "validate", "--project", str(REPO)], cwd=nowhere, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "dữ liệu hợp lệ" in done.stderr


def test_project_option_names_the_project_and_refuses_a_folder_that_is_not_one(nowhere):
    result = CliRunner().invoke(app, ["validate", "--project", str(REPO)])
    assert result.exit_code == 0, result.output
    assert "dữ liệu hợp lệ: 0 lỗi" in result.output
    result = CliRunner().invoke(app, ["validate", "--project", str(nowhere)])
    assert result.exit_code == 2
    assert "--project" in result.output and "không phải thư mục dự án giaoban" in result.output
    # the command's project lasts as long as the command
    assert paths.find_project() is None and os.environ.get(paths.ROOT_ENV) is None
    with pytest.raises(paths.ProjectNotFound):
        paths.project_root()


def test_a_command_run_in_a_subfolder_works_on_its_project(monkeypatch):
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)
    monkeypatch.delenv("GIAOBAN_DATA", raising=False)
    monkeypatch.chdir(REPO / "notebooks")
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "dữ liệu hợp lệ: 0 lỗi" in result.output

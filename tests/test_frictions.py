"""The smaller frictions of the analyst's loop (issue 20): each reproduced, then fixed."""

from __future__ import annotations

from pathlib import Path

from giaoban import build


def test_a_tilde_in_the_output_folder_is_the_home_folder_never_a_folder_named_tilde():
    assert build.site_folder("~/giaoban-site") == Path.home() / "giaoban-site"
    assert build.site_folder("~") == Path.home()
    assert build.site_folder("_site") == Path("_site")

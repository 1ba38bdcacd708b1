"""giaoban: briefing books for the meetings of Vietnam's provincial Departments of Science and Technology.

The package is laid out by the stages the data flows through, each a folder that imports only from
the ones before it (tests/test_layout.py checks): `domain` → `data` → `reading` → `briefing` →
`execution` → `publish` → `build`, with the foundations every stage may use at the root (`errors`,
`files`, `paths`) and the command line (`cli`) in front. CONTRIBUTING.md draws the picture.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """`from giaoban import charts`, as the notebooks write it: the house style lives in
    `giaoban.briefing.charts`. Imported when first asked for (matplotlib is not needed by every command)."""
    if name == "charts":
        # imported when needed: it loads matplotlib, numpy, pandas, pandera, pydantic (start-up time)
        from giaoban.briefing import charts

        return charts
    raise AttributeError(f"module 'giaoban' has no attribute {name!r}")

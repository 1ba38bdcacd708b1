"""What the build's fork server does before forking, besides importing: load the validated data.

`preload_data` runs in the template (`--preload giaoban.execution.engine.warm:preload_data`): it loads the
dataset of `$GIAOBAN_DATA` the way a notebook does (`giaoban.data.dataset.load_dataset`, which keeps the
validated tables in a cache keyed by the data's content hash) and the per-dataset tables of
`giaoban.data.inputs`. A forked kernel then finds them in its caches: `load_dataset` still hashes the
data files and uses the cached tables only when the hash is the same, so a kernel never sees
other data than a fresh one would.
"""

from __future__ import annotations

from giaoban.data import inputs

__all__ = ["preload_data"]


def preload_data() -> None:
    """Load and validate the data of `$GIAOBAN_DATA` (or `data/`) into the in-process caches.

    Refuses what `load_dataset` refuses (invalid data): the template then stays without it.
    """
    # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
    from giaoban.data.dataset import load_dataset

    dataset = load_dataset()
    inputs._loaded(dataset)

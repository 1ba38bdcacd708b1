"""Stage 5, execution: what to build, as jobs, and running the notebooks that make the pages.

`params` (meetings and batches as YAML), `layout` (where each page lives), `jobs` (one notebook
execution per page), `cache` (an executed notebook reused while its inputs are unchanged),
`execute` (running a batch of jobs with Papermill), `distributed` (the same on a Dask cluster),
`engine` (kernels forked from a warm template), `processes` (other builds' and servers' processes).

May import: the foundations and stages 1–4 (domain, data, reading, briefing).
"""

"""Stage 7, the build: the pipeline from data to published site, and the live preview.

`pipeline` (`giaoban build`: validate, expand the jobs, execute, render, publish), `preview`
(`giaoban preview`: build once, serve, rebuild what a save reaches, reload the open tabs).

May import: every earlier stage. Only the command line (`giaoban.cli`) imports it.
"""

"""Fast notebook execution, plugged into Papermill's and jupyter_client's own extension points.

A plain Papermill job starts a new Python for its kernel, which imports IPython, pandas, matplotlib
and `giaoban` and loads the data again: most of a job's time. Here a *fork server*
(`forkserver`: a template process that has imported all that and loaded the validated data once)
forks each kernel instead, and the kernel then runs ipykernel's own code. The pieces:

| module | what | extension point |
|---|---|---|
| `forkserver` | the warm template, run as `python -m giaoban.execution.engine.forkserver` | — |
| `client` | `ForkServer` (start, stop) and `request_kernel`, for the build and the provisioner | — |
| `kernels` | `GiaobanKernelManager` (IPC sockets in a private 0700 folder, both engines), `ForkKernelManager`, `ForkProvisioner` | `jupyter_client.kernel_provisioners`: `giaoban-fork` |
| `papermill_engine` | `ForkEngine`: Papermill's nbclient engine with forked kernels | `papermill.engine`: `giaoban-fork` |

`giaoban.execution.execute` starts one fork server per batch (its socket in the batch's private folder),
runs the jobs with the `giaoban-fork` engine, and runs with plain kernels (`--engine papermill`),
with a note in the build log, any notebook the fork server cannot serve. Executed notebooks are
the same as Papermill's, cell by cell (`benchmarks/build_speed.py` checks it).
"""

ENGINE = "giaoban-fork"

__all__ = ["ENGINE"]

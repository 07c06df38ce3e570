"""`serial-console run NOTEBOOK`: execute a runbook headless with nbclient, a line per cell on
the terminal, the executed notebook written out, exit status 1 on the first failed step."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from traitlets.config import Config

KERNEL_NAME = "serial-console"


def run_notebook(path: str, *, target: str | None = None, output: str | None = None,
                 cell_timeout: float = 300, stream=sys.stdout) -> int:
    source = Path(path)
    try:
        notebook = nbformat.read(source, as_version=4)
    except (OSError, ValueError) as err:
        print(f"serial-console run: cannot read {path}: {err}", file=sys.stderr)
        return 2
    if target:
        # The kernel inherits it: runbooks connect to ${SERIAL_CONSOLE_TARGET:-the simulator}.
        os.environ["SERIAL_CONSOLE_TARGET"] = target
    code_indices = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    numbers = {cell_index: n for n, cell_index in enumerate(code_indices, 1)}

    pending = {}

    def started(cell, cell_index, **_) -> None:
        if cell.cell_type != "code":
            return
        pending["cell"] = cell_index
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        stream.write(f"[{numbers.get(cell_index, '?')}/{len(code_indices)}] {first[:70]} ... ")
        stream.flush()

    def executed(cell, cell_index, execute_reply, **_) -> None:
        if cell.cell_type != "code":
            return
        pending.pop("cell", None)
        status = execute_reply["content"]["status"] if execute_reply else "error"
        stream.write(("ok" if status == "ok" else "FAILED") + "\n")
        if status != "ok":
            error = execute_reply["content"] if execute_reply else {}
            stream.write(f"    {error.get('ename', 'Error')}: {error.get('evalue', '')}\n")

    # The kernel talks to this process only: over private Unix sockets, not loopback TCP (which
    # ipykernel rightly warns about: anyone on the machine could connect).
    sockets = tempfile.TemporaryDirectory(prefix="serial-console-run-")
    config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets.name, "kernel")}})
    client = NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=cell_timeout, config=config,
                            resources={"metadata": {"path": str(source.parent.resolve())}},
                            on_cell_start=started, on_cell_executed=executed)
    failed = False
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        failed = True
        if pending:  # nbclient raised before its hook: say which step failed and why
            reason = f"{err.ename}: {err.evalue}" if hasattr(err, "ename") else str(err).splitlines()[0]
            stream.write(f"FAILED\n    {reason}\n")
    finally:
        sockets.cleanup()
        destination = Path(output) if output else source.with_name(source.stem + ".out.ipynb")
        nbformat.write(notebook, destination)
    verdict = "FAILED" if failed else "passed"
    stream.write(f"{source.name}: {verdict}; executed notebook written to {destination}\n")
    return 1 if failed else 0

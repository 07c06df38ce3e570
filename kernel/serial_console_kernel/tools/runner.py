"""`serial-console run NOTEBOOK`: execute a runbook headless, a line per cell on the terminal,
the executed notebook written out, exit status 1 on the first failed step.

By default a real kernel runs it (nbclient), as in Jupyter.  With `in_process`, the cells run
on a Target in this process (`jupyter.cell`), with the same outputs and no kernel: what a run
over many machines needs."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbformat import NotebookNode
from traitlets.config import Config

from ..errors import ConsoleError
from ..jupyter.cell import Cell, error_content
from ..target import Target

KERNEL_NAME = "serial-console"
Hook = Callable[..., None]  # nbclient's on_cell_start / on_cell_executed


def run_notebook(path: str, *, target: str | None = None, output: str | None = None,
                 cell_timeout: float = 300, in_process: bool = False, stream: TextIO = sys.stdout) -> int:
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

    def started(cell: NotebookNode, cell_index: int, **_: Any) -> None:
        if cell.cell_type != "code":
            return
        pending["cell"] = cell_index
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        stream.write(f"[{numbers.get(cell_index, '?')}/{len(code_indices)}] {first[:70]} ... ")
        stream.flush()

    def executed(cell: NotebookNode, cell_index: int, execute_reply: dict | None, **_: Any) -> None:
        if cell.cell_type != "code":
            return
        pending.pop("cell", None)
        status = execute_reply["content"]["status"] if execute_reply else "error"
        stream.write(("ok" if status == "ok" else "FAILED") + "\n")
        if status != "ok":
            error = execute_reply["content"] if execute_reply else {}
            stream.write(f"    {error.get('ename', 'Error')}: {error.get('evalue', '')}\n")

    destination = Path(output) if output else source.with_name(source.stem + ".out.ipynb")
    try:
        if in_process:
            failed = _run_in_process(notebook, source.parent.resolve(), cell_timeout, started,
                                     executed)
        else:
            failed = _run_in_kernel(notebook, source, cell_timeout, started, executed, pending, stream)
    finally:
        nbformat.write(notebook, destination)
    verdict = "FAILED" if failed else "passed"
    stream.write(f"{source.name}: {verdict}; executed notebook written to {destination}\n")
    return 1 if failed else 0


def _run_in_kernel(notebook: NotebookNode, source: Path, cell_timeout: float, started: Hook,
                   executed: Hook, pending: dict, stream: TextIO) -> bool:
    # The kernel talks to this process only: over private Unix sockets, not loopback TCP (which
    # ipykernel rightly warns about: anyone on the machine could connect).
    sockets = tempfile.TemporaryDirectory(prefix="serial-console-run-")
    config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets.name, "kernel")}})
    client = NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=cell_timeout, config=config,
                            resources={"metadata": {"path": str(source.parent.resolve())}},
                            on_cell_start=started, on_cell_executed=executed)
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        if pending:  # nbclient raised before its hook: say which step failed and why
            reason = (f"{err.ename}: {err.evalue}" if isinstance(err, CellExecutionError)
                      else str(err).splitlines()[0])
            stream.write(f"FAILED\n    {reason}\n")
        return True
    finally:
        sockets.cleanup()
    return False


class _NotebookOutputs:
    """A cell's outputs as the kernel would have sent them, kept in the notebook."""

    def __init__(self, outputs: list) -> None:
        self.outputs = outputs

    def stream(self, text: str) -> None:
        self.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text))

    def display(self, data: dict, metadata: dict) -> None:
        self.outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata))


async def run_cells(notebook: NotebookNode, target: Target, cell_timeout: float, started: Hook,
                    executed: Hook) -> bool:
    """Run the notebook's code cells on `target`, each one's outputs kept in the notebook as
    the kernel would have sent them; True when a cell failed (the run stops there)."""
    count = 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        count += 1
        started(cell, index)
        cell.outputs, cell.execution_count = [], count
        runner = Cell(target, _NotebookOutputs(cell.outputs))
        target.say = runner.print
        try:
            await asyncio.wait_for(runner.run(cell.source), cell_timeout)
            content = {"status": "ok"}
        except asyncio.TimeoutError:
            content = {"status": "error", **error_content(
                ConsoleError(f"the cell did not finish within {cell_timeout:g} s"), target)}
            content["ename"] = "CellTimeoutError"
        except ConsoleError as err:
            content = {"status": "error", **error_content(err, target)}
        except Exception as err:  # noqa: BLE001 - a bug of ours: reported like the kernel does
            content = {"status": "error",
                       **error_content(err, target, detail=traceback.format_exc())}
        if content["status"] == "error":
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=content["ename"], evalue=content["evalue"],
                traceback=content["traceback"]))
        executed(cell, index, {"content": content})
        if content["status"] == "error":
            return True
    return False


def _run_in_process(notebook: NotebookNode, folder: Path, cell_timeout: float, started: Hook,
                    executed: Hook) -> bool:
    async def run() -> bool:
        target = Target()
        try:
            return await run_cells(notebook, target, cell_timeout, started, executed)
        finally:
            # Signing out at the end belongs to no cell: the terminal hears of it.
            target.say = lambda text: print(target.secrets.text(text))
            await target.close()

    # As in a kernel started for the notebook: relative paths (%log) are the notebook's.
    here = os.getcwd()
    os.chdir(folder)
    try:
        return asyncio.run(run())
    finally:
        os.chdir(here)

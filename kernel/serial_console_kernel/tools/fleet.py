"""`serial-console run NOTEBOOK --targets FILE`: one runbook over many machines.

Each target runs the notebook's cells on its own Target in this process (no kernel per machine),
with its own environment (`${SERIAL_CONSOLE_TARGET}` and the file's NAME=VALUE parameters), its
own executed notebook and transcript under OUT/NAME/.  `--parallel` bounds how many run at once,
`--max-failures` stops starting new ones, and `--dask` sends them to the workers of a Dask
cluster instead, which run the same code and send the artifacts back.

The targets file: one target a line, `TARGET [OPTIONS…] [name=NAME] [VAR=VALUE…]`, where
TARGET and its options are what `%connect` takes (`socket://10.0.0.5:4555 --power qmp:…`);
blank lines and lines starting with `#` are skipped.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from ..errors import ConsoleError
from ..target import Target
from .runner import run_cells

_PARAMETER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class FleetTarget:
    name: str
    spec: str  # what ${SERIAL_CONSOLE_TARGET} becomes: the target and its %connect options
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    name: str
    spec: str
    status: str  # passed, failed, not run, interrupted
    steps_done: int = 0
    steps: int = 0
    failed_step: str = ""  # "[3/8] netstat -an | find …"
    error: str = ""
    screen_html: str = ""  # the screen when it failed, as the cell showed it
    seconds: float = 0.0


@dataclass
class Artifacts:
    """What one target's run leaves: sent back from a Dask worker, written under OUT/NAME/."""

    outcome: Outcome
    notebook: dict | None = None
    transcript: str = ""


def parse_targets(lines: Iterable[str], source: str = "the targets") -> list[FleetTarget]:
    targets: list[FleetTarget] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(line)
        except ValueError as err:
            raise ConsoleError(f"{source}, line {number}: {err}") from None
        spec_words: list[str] = []
        env: dict[str, str] = {}
        name: str | None = None
        for word in words:
            match = _PARAMETER.match(word)
            if match and spec_words:
                key, value = match.groups()
                if key == "name":
                    name = value
                else:
                    env[key] = value
            else:
                spec_words.append(word)
        name = name or f"target-{len(targets) + 1:03d}"
        if not _NAME.match(name):
            raise ConsoleError(f"{source}, line {number}: bad name {name!r} (letters, digits, "
                               ". _ -; it names a folder)")
        if any(t.name == name for t in targets):
            raise ConsoleError(f"{source}, line {number}: the name {name!r} is used twice")
        # Rejoined as %connect reads it: a word with spaces in quotes ("exec:ssh -t bmc").
        spec = " ".join(f'"{word}"' if any(c.isspace() for c in word) else word
                        for word in spec_words)
        targets.append(FleetTarget(name, spec, env))
    if not targets:
        raise ConsoleError(f"{source} lists no target")
    return targets


def read_targets(path: str) -> list[FleetTarget]:
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise ConsoleError(f"cannot read the targets file {path}: {err.strerror}") from None
    return parse_targets(text.splitlines(), path)


def _first_line(source: str) -> str:
    return next((line for line in source.splitlines() if line.strip()), "")[:70]


def _screen_of(cell: NotebookNode) -> str:
    shown = [o for o in cell.get("outputs", []) if o.get("output_type") == "display_data"]
    return shown[-1]["data"].get("text/html", "") if shown else ""


async def run_target(notebook: dict, target: FleetTarget, cell_timeout: float,
                     on_step: Callable[[str, str], None] = lambda name, step: None) -> Artifacts:
    """Run the notebook on one target; never raises for the target's own failures."""
    copy = nbformat.from_dict(notebook)
    steps = sum(1 for cell in copy.cells if cell.cell_type == "code")
    outcome = Outcome(target.name, target.spec, "failed", steps=steps)
    environ = {**os.environ, "SERIAL_CONSOLE_TARGET": target.spec, **target.env}
    console = Target(environ=environ)
    numbers: dict[int, int] = {}
    started_at = time.monotonic()

    def started(cell: NotebookNode, index: int, **_: Any) -> None:
        numbers[index] = len(numbers) + 1
        on_step(target.name, f"[{numbers[index]}/{steps}] {_first_line(cell.source)}")

    def executed(cell: NotebookNode, index: int, reply: dict, **_: Any) -> None:
        content = reply["content"]
        if content["status"] == "ok":
            outcome.steps_done += 1
            return
        outcome.failed_step = f"[{numbers[index]}/{steps}] {_first_line(cell.source)}"
        outcome.error = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
        outcome.screen_html = _screen_of(cell)

    with tempfile.TemporaryDirectory(prefix="serial-console-fleet-") as folder:
        transcript = Path(folder) / "transcript.log"
        console.set_log(str(transcript))
        try:
            failed = await run_cells(copy, console, cell_timeout, started, executed)
            outcome.status = "failed" if failed else "passed"
        except asyncio.CancelledError:
            outcome.status = "interrupted"
            console.settings.logout = "off"  # stopped: each console is left as it is
        finally:
            console.say = lambda text: None
            await asyncio.shield(console.close())
            outcome.seconds = round(time.monotonic() - started_at, 2)
        text = transcript.read_text(errors="replace") if transcript.exists() else ""
    return Artifacts(outcome, dict(copy), text)


def run_batch_in_worker(notebook: dict, targets: list[FleetTarget], parallel: int,
                        max_failures: int | None, cell_timeout: float) -> list[Artifacts]:
    """A Dask task: a batch of targets on the worker's own event loop, as `run_local` runs them
    here.  (A thread per target instead starves them: 100 threads a worker made cells end on
    %quiet before the simulator had answered.)"""
    done: list[Artifacts] = []
    progress = Progress(len(targets))
    asyncio.run(run_local(notebook, targets, parallel=parallel, max_failures=max_failures,
                          cell_timeout=cell_timeout, progress=progress, deliver=done.append))
    ran = {artifacts.outcome.name for artifacts in done}
    return done + [Artifacts(o) for o in progress.outcomes if o.name not in ran]


def write_artifacts(out: Path, notebook_name: str, artifacts: Artifacts) -> None:
    folder = out / artifacts.outcome.name
    folder.mkdir(parents=True, exist_ok=True)
    if artifacts.notebook is not None:
        nbformat.write(nbformat.from_dict(artifacts.notebook), folder / notebook_name)
    (folder / "transcript.log").write_text(artifacts.transcript)


class Progress:
    """Who is done, failed, running and at which step; the display reads it."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.running: dict[str, str] = {}
        self.outcomes: list[Outcome] = []

    def step(self, name: str, step: str) -> None:
        self.running[name] = step

    def finished(self, outcome: Outcome) -> None:
        self.running.pop(outcome.name, None)
        self.outcomes.append(outcome)

    @property
    def failures(self) -> int:
        return sum(o.status == "failed" for o in self.outcomes)


async def run_local(notebook: dict, targets: list[FleetTarget], *, parallel: int,
                    max_failures: int | None, cell_timeout: float, progress: Progress,
                    deliver: Callable[[Artifacts], None]) -> None:
    """Up to `parallel` targets at once in this process; none started after `max_failures`."""
    slots = asyncio.Semaphore(parallel)

    async def one(target: FleetTarget) -> None:
        async with slots:
            if max_failures is not None and progress.failures >= max_failures:
                progress.finished(Outcome(target.name, target.spec, "not run",
                                          error=f"not started: {max_failures} targets failed"))
                return
            progress.step(target.name, "connecting")
            artifacts = await run_target(notebook, target, cell_timeout, progress.step)
            deliver(artifacts)
            progress.finished(artifacts.outcome)

    tasks = [asyncio.ensure_future(one(target)) for target in targets]
    try:
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def run_dask(notebook: dict, targets: list[FleetTarget], *, address: str, parallel: int,
             max_failures: int | None, cell_timeout: float, progress: Progress,
             deliver: Callable[[Artifacts], None]) -> None:
    """The same runs on a Dask cluster: `local:N` starts N worker processes here, anything
    else is a scheduler's address.  The targets go in batches, one a worker thread at a time,
    `parallel` targets in all at once; `max_failures` is checked between batches (and within
    each one)."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConsoleError("--dask needs Dask: pip install 'serial-console-kernel[dask]'") from None
    if address.startswith("local:"):
        cluster: Any = LocalCluster(n_workers=int(address.split(":", 1)[1] or 2), processes=True,
                                    threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    else:
        cluster, client = None, Client(address)
    try:
        slots = max(1, sum(client.nthreads().values()))
        size = max(1, -(-parallel // slots))
        batches = [targets[i:i + size] for i in range(0, len(targets), size)]

        def submit(batch: list[FleetTarget]) -> Any:
            for target in batch:
                progress.step(target.name, "sent to the cluster")
            return client.submit(run_batch_in_worker, notebook, batch, size, max_failures,
                                 cell_timeout, key=f"serial-console-{batch[0].name}-{time.time_ns()}")

        running = as_completed([submit(batches.pop(0)) for _ in range(min(slots, len(batches)))])
        for future in running:
            for artifacts in future.result():
                if artifacts.notebook is not None:
                    deliver(artifacts)
                progress.finished(artifacts.outcome)
            if batches and (max_failures is None or progress.failures < max_failures):
                running.add(submit(batches.pop(0)))
        for batch in batches:
            for target in batch:
                progress.finished(Outcome(target.name, target.spec, "not run",
                                          error=f"not started: {max_failures} targets failed"))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def outcomes_as_json(outcomes: list[Outcome]) -> list[dict]:
    return [asdict(outcome) for outcome in outcomes]

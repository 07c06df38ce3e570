"""One cell on a Target: its lines run in order, then its answer (the screen, the notes).

The notebook's language lives here, apart from ipykernel: the kernel hands a cell to `Cell.run`
and sends what it emits as messages; `serial-console run --in-process` keeps the same outputs in
the notebook.  Both therefore produce the same cells, byte for byte.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from ..errors import ConsoleError
from ..target import Target
from .magics import Step, parse_cell


class Outputs(Protocol):
    """Where a cell's outputs go: Jupyter messages, or a notebook's output list."""

    def stream(self, text: str) -> None: ...

    def display(self, data: dict, metadata: dict) -> None: ...


class Cell:
    def __init__(self, target: Target, outputs: Outputs, *,
                 ask_secret: Callable[[str], str] | None = None,
                 open_panel: Callable[[], dict] | None = None) -> None:
        self.target = target
        self.outputs = outputs
        self.ask_secret = ask_secret  # a person types a password here (the kernel's stdin)
        self.open_panel = open_panel  # builds %controls where a front end can show widgets
        self.full_screen = False  # this cell shows the whole screen (%screen)

    def print(self, text: str) -> None:
        self.outputs.stream(self.target.secrets.text(text) + "\n")

    def display(self, data: dict, metadata: dict | None = None) -> None:
        self.outputs.display(data, metadata or {})

    async def run(self, code: str, *, silent: bool = False) -> None:
        """All lines are parsed before anything is typed; then each runs.  Raises the first
        failure (a ConsoleError, or CancelledError on an interrupt) after showing the screen
        when the cell acted on the machine: "error, with the screen at that moment"."""
        steps = parse_cell(code, self.target.environ)
        async with self.target.activity():
            await self._run_steps(steps, silent)
        for note in self.target.take_notes():
            self.print(note)

    async def _run_steps(self, steps: list[Step], silent: bool) -> None:
        touched = acting = False
        try:
            for step in steps:
                # Marked before it runs, so a failing wait still shows the screen.
                acting = acting or step.magic is None or step.magic.touches
                touched = await self._run_step(step) or touched
        except (ConsoleError, asyncio.CancelledError):
            if (touched or acting) and self.target.console is not None and not silent:
                self.show_screen()
            raise
        if touched and not silent:
            self.show_screen()

    async def _run_step(self, step: Step) -> bool:
        """Run one line; True when the cell should answer with the screen."""
        if step.magic is None:
            await self.target.type_line(step.text)
            return True
        assert step.magic.run is not None, f"%{step.magic.name} is declared without a function"
        return bool(await step.magic.run(self, step.args))

    def show_screen(self) -> None:
        console = self.target.console
        if console is None:
            return
        snapshot = console.snapshot(full=self.full_screen)
        self.display(snapshot.bundle(), {"serial_console": {
            "cursor": {"row": snapshot.cursor[0], "column": snapshot.cursor[1]},
            "size": {"columns": snapshot.size[0], "rows": snapshot.size[1]},
            "target": console.target,
            "scrolled_lines": len(snapshot.scrolled),
            "left_out_lines": snapshot.left_out,
            "first_row": snapshot.first_row,
        }})


def error_content(err: BaseException, target: Target, detail: str | None = None) -> dict:
    """An error as Jupyter's error content: one line, secrets masked (the traceback only for a
    bug of ours)."""
    name = type(err).__name__
    message = target.secrets.text(str(err) or name)
    lines = [f"{name}: {message}"]
    if detail is not None:
        lines.append(target.secrets.text(detail))
    return {"ename": name, "evalue": message, "traceback": lines}

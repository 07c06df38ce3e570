"""The Jupyter kernel: a thin adapter from cells to a Target and from its answers to messages.

A cell runs as `cell.Cell` on the kernel's one `Target`; what it emits becomes `stream` and
`display_data` messages.  `do_execute` is async and only awaits, so comm messages (widget
clicks) and interrupts are served while a cell waits on the console.
"""

from __future__ import annotations

import asyncio
import signal
import traceback
from typing import Any

import comm
from ipykernel.comm import CommManager
from ipykernel.kernelbase import Kernel

from .. import __version__
from ..engine.keys import key_names
from ..errors import ConsoleError, Interrupted
from ..target import Target
from .cell import Cell, error_content
from .magics import MAGICS, help_text


class SerialConsoleKernel(Kernel):
    implementation = "serial_console_kernel"
    implementation_version = __version__
    language = "serial-console"
    language_version = __version__
    language_info = {
        "name": "serial-console",
        "mimetype": "text/x-sh",
        "file_extension": ".txt",
        "codemirror_mode": "shell",
        "pygments_lexer": "bash",
    }
    banner = (
        "Serial Console kernel: each line of a cell is typed into a live console.\n"
        "%connect TARGET to start; %help lists the magics."
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = Target(say=self.print_text)
        self._cell_task: asyncio.Task | None = None
        self._interrupted = False
        self._allow_stdin = False
        self.panels: list = []  # %controls panels, closed at shutdown
        self.background_tasks: set[asyncio.Task] = set()  # the panels' clicks
        # ipykernel sleeps 0.5 ms before every reply for the sake of stdout printed by user
        # code; this kernel publishes everything itself, before the reply, on the same thread.
        self._execute_sleep = 0.0
        self._wire_comms()

    # -- widgets: a wrapper kernel has no comm handlers of its own -----------------------------
    def _wire_comms(self) -> None:
        self.comm_manager = CommManager(kernel=self)
        comm.get_comm_manager = lambda: self.comm_manager
        for msg_type in ("comm_open", "comm_msg", "comm_close"):
            self.shell_handlers[msg_type] = getattr(self.comm_manager, msg_type)
        try:
            import ipywidgets

            ipywidgets.register_comm_target()
        except Exception:
            self.log.warning("ipywidgets not available: %%controls will not work", exc_info=True)

    # -- interrupts: SIGINT cancels the running cell, the kernel lives on -----------------------
    def pre_handler_hook(self) -> None:
        self.saved_sigint_handler = signal.getsignal(signal.SIGINT)
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self._interrupt_cell)

    def post_handler_hook(self) -> None:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
        signal.signal(signal.SIGINT, self.saved_sigint_handler)

    def _interrupt_cell(self) -> None:
        if self._cell_task is not None and not self._cell_task.done():
            self._interrupted = True
            self._cell_task.cancel()

    # -- execution --------------------------------------------------------------------------------
    async def do_execute(
        self, code: str, silent: bool, store_history: bool = True,
        user_expressions: dict | None = None, allow_stdin: bool = False, **kwargs: Any,
    ) -> dict:
        self._allow_stdin = allow_stdin  # what ipykernel's getpass checks; it does not set it itself
        self._interrupted = False
        cell = Cell(self.target, self, ask_secret=self.getpass if allow_stdin else None,
                    open_panel=self._open_panel)
        self._cell_task = asyncio.ensure_future(cell.run(code, silent=silent))
        try:
            await self._cell_task
        except asyncio.CancelledError:
            if not self._interrupted:
                raise
            return self._fail(Interrupted("interrupted: the wait was stopped, the console is "
                                          "still connected (%send \\x03 sends Ctrl-C to it)"
                                          + self.target.interrupted()), silent)
        except ConsoleError as err:
            return self._fail(err, silent)
        except Exception as err:
            self.log.error("unexpected error in cell", exc_info=True)
            return self._fail(err, silent, detail=traceback.format_exc())
        finally:
            self._cell_task = None
        return {"status": "ok", "execution_count": self.execution_count,
                "payload": [], "user_expressions": {}}

    def _open_panel(self) -> dict:
        from .widgets import ControlPanel

        panel = ControlPanel(self.target, self.background_tasks)
        self.panels.append(panel)
        return panel.bundle()

    # -- output: what a Cell emits, as messages ------------------------------------------------------
    def stream(self, text: str) -> None:
        self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": text})

    def display(self, data: dict, metadata: dict) -> None:
        self.send_response(self.iopub_socket, "display_data",
                           {"data": data, "metadata": metadata, "transient": {}})

    def print_text(self, text: str) -> None:
        self.stream(self.target.secrets.text(text) + "\n")

    def _fail(self, err: Exception, silent: bool, detail: str | None = None) -> dict:
        content = error_content(err, self.target, detail)
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    # -- editor services --------------------------------------------------------------------------
    async def do_complete(self, code: str, cursor_pos: int) -> dict:
        line_start = code.rfind("\n", 0, cursor_pos) + 1
        line = code[line_start:cursor_pos]
        word_start = max(line.rfind(" "), -1) + 1
        word = line[word_start:]
        matches: list[str] = []
        if line.startswith("%") and " " not in line:
            matches = ["%" + name for name in MAGICS if name.startswith(word[1:])]
        elif line.startswith("%"):
            name = line[1:].split(" ", 1)[0]
            magic = MAGICS.get(name)
            if magic is not None:
                candidates = magic.options()
                if name == "key":
                    candidates += key_names(self.target.settings.keys)
                if name == "help":
                    candidates += list(MAGICS)
                matches = sorted(c for c in candidates if c.startswith(word))
        return {"status": "ok", "matches": matches, "cursor_start": line_start + word_start,
                "cursor_end": cursor_pos, "metadata": {}}

    async def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0,
                         omit_sections: tuple = ()) -> dict:
        line_start = code.rfind("\n", 0, cursor_pos) + 1
        line_end = code.find("\n", cursor_pos)
        line = code[line_start: line_end if line_end >= 0 else len(code)]
        if line.startswith("%"):
            name = line[1:].split(" ", 1)[0]
            if name in MAGICS:
                return {"status": "ok", "found": True, "metadata": {},
                        "data": {"text/plain": help_text(name)}}
        return {"status": "ok", "found": False, "data": {}, "metadata": {}}

    async def do_is_complete(self, code: str) -> dict:
        # Every line stands alone; a trailing backslash asks for more, as in a shell.
        if code.rstrip("\n").endswith("\\"):
            return {"status": "incomplete", "indent": ""}
        return {"status": "complete"}

    async def do_shutdown(self, restart: bool) -> dict:
        for panel in self.panels:
            panel.live.close()
        await self.target.close()
        return {"status": "ok", "restart": restart}

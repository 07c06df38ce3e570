"""The Jupyter kernel: cells in, console snapshots out.

Plain lines are typed into the console; `%magic` lines are handled by `handlers.MagicHandlers`.
`do_execute` is async and only awaits, so comm messages (widget clicks) and interrupts are
served while a cell waits on the console.
"""

from __future__ import annotations

import asyncio
import signal
import traceback

import comm
from ipykernel.comm import CommManager
from ipykernel.kernelbase import Kernel

from . import __version__
from .errors import ConsoleError, Interrupted
from .handlers import MagicHandlers
from .keys import key_names
from .magics import MAGICS, Step, help_text, parse_cell
from .masking import Secrets
from .power_handlers import PowerHandlers
from .settings import Settings

NOT_CONNECTED = (
    "not connected: start with %connect TARGET, e.g. %connect sim:windows, "
    "%connect socket://127.0.0.1:4555, %connect /dev/ttyUSB0 --baud 115200"
)



class SerialConsoleKernel(MagicHandlers, PowerHandlers, Kernel):
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

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings = Settings()
        # Every secret typed in this kernel, masked in every session, transcript and message.
        self.secrets = Secrets()
        self.console = None
        self.last_target: str | None = None
        self._cell_task: asyncio.Task | None = None
        self._interrupted = False
        self.full_screen = False  # this cell shows the whole screen (%screen)
        self.panels = []  # %controls panels, refreshed when the console or backend changes
        self.background_tasks: set[asyncio.Task] = set()
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
        except Exception:  # noqa: BLE001 - widgets are optional for plain cells
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
        self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, **kwargs
    ):
        self._allow_stdin = allow_stdin
        self._interrupted = False
        self._cell_task = asyncio.ensure_future(self._run_cell(code, silent))
        try:
            await self._cell_task
        except asyncio.CancelledError:
            if not self._interrupted:
                raise
            left = self.console.interrupted() if self.console is not None else ""
            return self._fail(Interrupted("interrupted: the wait was stopped, the console is "
                                          "still connected (%send \\x03 sends Ctrl-C to it)" + left),
                              silent)
        except ConsoleError as err:
            return self._fail(err, silent)
        except Exception as err:  # noqa: BLE001 - a bug of ours must not take the kernel down
            self.log.error("unexpected error in cell", exc_info=True)
            return self._fail(err, silent, detail=traceback.format_exc())
        finally:
            self._cell_task = None
        return {"status": "ok", "execution_count": self.execution_count,
                "payload": [], "user_expressions": {}}

    async def _run_cell(self, code: str, silent: bool) -> None:
        steps = parse_cell(code)
        touched = acting = False  # the cell shows the screen; an error would show it
        self.full_screen = False
        try:
            for step in steps:
                # Marked before it runs, so a failing wait still shows the screen.
                acting = acting or step.magic is None or step.magic.touches
                touched = await self._run_step(step) or touched
        except (ConsoleError, asyncio.CancelledError):
            # "Error with the screen at that moment": show what the console shows, then fail.
            if (touched or acting) and self.console is not None and not silent:
                self._show_screen()
            raise
        if touched and not silent:
            self._show_screen()
        if self.console is not None:
            for note in self.console.take_notes():
                self.print_text(note)

    async def _run_step(self, step: Step) -> bool:
        """Run one line; True when it touched the console (so the cell shows the screen)."""
        if step.magic is None:
            console = self.require_console()
            await console.type_line(step.text)
            return True
        handler = getattr(self, "magic_" + step.magic.name.replace("-", "_"))
        return bool(await handler(step.args))

    def require_console(self):
        if self.console is None:
            raise ConsoleError(NOT_CONNECTED)
        self.console.session.require_connected()
        return self.console

    # -- output -------------------------------------------------------------------------------------
    def _show_screen(self) -> None:
        snapshot = self.console.snapshot(full=self.full_screen)
        metadata = {"serial_console": {
            "cursor": {"row": snapshot.cursor[0], "column": snapshot.cursor[1]},
            "size": {"columns": snapshot.size[0], "rows": snapshot.size[1]},
            "target": self.console.target,
            "scrolled_lines": len(snapshot.scrolled),
            "left_out_lines": snapshot.left_out,
            "first_row": snapshot.first_row,
        }}
        self.send_response(self.iopub_socket, "display_data",
                           {"data": snapshot.bundle(), "metadata": metadata, "transient": {}})

    def print_text(self, text: str) -> None:
        self.send_response(self.iopub_socket, "stream",
                           {"name": "stdout", "text": self.secrets.text(text) + "\n"})

    def _fail(self, err: Exception, silent: bool, detail: str | None = None) -> dict:
        name = type(err).__name__
        message = self.secrets.text(str(err) or name)
        lines = [f"{name}: {message}"] if detail is None else [f"{name}: {message}",
                                                               self.secrets.text(detail)]
        content = {"ename": name, "evalue": message, "traceback": lines}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    # -- editor services --------------------------------------------------------------------------
    def do_complete(self, code: str, cursor_pos: int) -> dict:
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
                    candidates += key_names(self.settings.keys)
                if name == "help":
                    candidates += list(MAGICS)
                matches = sorted(c for c in candidates if c.startswith(word))
        return {"status": "ok", "matches": matches, "cursor_start": line_start + word_start,
                "cursor_end": cursor_pos, "metadata": {}}

    def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0, omit_sections=()) -> dict:
        line_start = code.rfind("\n", 0, cursor_pos) + 1
        line_end = code.find("\n", cursor_pos)
        line = code[line_start: line_end if line_end >= 0 else len(code)]
        if line.startswith("%"):
            name = line[1:].split(" ", 1)[0]
            if name in MAGICS:
                return {"status": "ok", "found": True, "metadata": {},
                        "data": {"text/plain": help_text(name)}}
        return {"status": "ok", "found": False, "data": {}, "metadata": {}}

    def do_is_complete(self, code: str) -> dict:
        # Every line stands alone; a trailing backslash asks for more, as in a shell.
        if code.rstrip("\n").endswith("\\"):
            return {"status": "incomplete", "indent": ""}
        return {"status": "complete"}

    async def do_shutdown(self, restart: bool) -> dict:
        for panel in self.panels:
            panel.live.close()
        if self.console is not None:
            self.console.close()
            self.console = None
        return {"status": "ok", "restart": restart}

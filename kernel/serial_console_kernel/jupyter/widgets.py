"""`%controls`: a panel of power buttons, a boot-menu pad, a live screen and a line to type.

The panel drives the kernel's Target.  Clicks arrive as comm messages, which ipykernel serves
while a cell still waits, and run as tasks on the kernel's event loop: the NMI button works
when a cell hangs on a prompt.  Results go into the panel's Output widget.  The live screen is
redrawn by a thread at most ten times a second, only when the console sent something, and
sleeps when it is quiet.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as w

from ..errors import ConsoleError
from ..power.base import TEXT, Action
from ..target import Target

if TYPE_CHECKING:
    from ..engine.session import ConsoleSession
    from ..power.base import PowerBackend

CONFIRM = {action.value: text.confirm for action, text in TEXT.items() if text.confirm}
# The power buttons, in this order; SysRq has a key field beside it, status is no button.
LABELS = {action.value: TEXT[action].label for action in Action
          if action not in (Action.SYSRQ, Action.STATUS)}
PAD = ["F8", "Esc", "Tab", "Up", "Down", "Left", "Right", "Enter", "e", "Ctrl-X"]
MAX_UPDATES_PER_SECOND = 10


def _why_not(action: str, power: PowerBackend | None) -> str:
    backend = f"the {power.name} power backend" if power is not None else "no power backend"
    if action in ("break", "sysrq"):
        return f"neither {backend} nor the console can send {TEXT[Action(action)].label}"
    return f"{backend} cannot {action.replace('_', ' ')}"


class LiveScreen:
    """Keeps an HTML widget equal to the console's screen, throttled, without polling."""

    def __init__(self, view: w.HTML) -> None:
        self.view = view
        self.session: ConsoleSession | None = None
        self._changed = threading.Event()
        self._stop = threading.Event()
        self.updates = 0
        self._thread = threading.Thread(target=self._run, name="live-screen", daemon=True)
        self._thread.start()

    def attach(self, session: ConsoleSession | None) -> None:
        if self.session is not None:
            self.session.remove_listener(self._changed.set)
        self.session = session
        if session is not None:
            session.add_listener(self._changed.set)
        self._changed.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._changed.wait()
            if self._stop.is_set():
                return
            self._changed.clear()
            session = self.session
            html = session.live_html() if session is not None else "<pre>not connected</pre>"
            note = session.connection_note() if session is not None else ""
            if note:  # a drop, a reconnect and its gap: said above the screen
                html = f"<div class='sc-connection'>{escape(note)}</div>{html}"
            if html != self.view.value:
                self.view.value = html
                self.updates += 1
            time.sleep(1 / MAX_UPDATES_PER_SECOND)

    def close(self) -> None:
        self._stop.set()
        self._changed.set()
        self.attach(None)


class ControlPanel:
    def __init__(self, target: Target, tasks: set[asyncio.Task]) -> None:
        self.target = target
        self.tasks = tasks  # the clicks under way: kept referenced until done
        self.output = w.Output(layout=w.Layout(max_height="8em", overflow="auto"))
        self.confirm_text = w.HTML()
        self.confirm_yes = w.Button(description="Yes", button_style="danger")
        self.confirm_no = w.Button(description="No")
        self.confirm_box = w.HBox([self.confirm_text, self.confirm_yes, self.confirm_no],
                                  layout=w.Layout(display="none"))
        self.confirm_no.on_click(lambda _: self._hide_confirm())
        self.pending: str | None = None
        self.confirm_yes.on_click(lambda _: self._confirmed())
        self.power_buttons = {action: self._power_button(action) for action in LABELS}
        self.sysrq_key = w.Text(placeholder="key", layout=w.Layout(width="4em"))
        self.sysrq_button = w.Button(description="SysRq")
        self.sysrq_button.on_click(lambda _: self._start(self._power("sysrq", self.sysrq_key.value)))
        pad = [self._key_button(name) for name in PAD]
        boot_menu = w.Button(description="Restart into boot menu", button_style="warning",
                             layout=w.Layout(width="auto"))
        boot_menu.on_click(lambda _: self._start(self._boot_menu()))
        self.line = w.Text(placeholder="type a line for the console",
                           layout=w.Layout(width="60%"))
        send = w.Button(description="Send")
        send.on_click(lambda _: self._start(self._send_line()))
        self.screen = w.HTML("<pre>not connected</pre>")
        self.live = LiveScreen(self.screen)
        self.widget = w.VBox([
            w.HBox([*self.power_buttons.values(), self.sysrq_key, self.sysrq_button]),
            self.confirm_box,
            w.HBox([*pad, boot_menu]),
            self.screen,
            w.HBox([self.line, send]),
            self.output,
        ])
        self.refresh()
        target.on_change(self.refresh)

    # -- building --------------------------------------------------------------------------------
    def _power_button(self, action: str) -> w.Button:
        button = w.Button(description=LABELS[action],
                          button_style="danger" if action in CONFIRM else "")
        button.on_click(lambda _: self._ask(action))
        return button

    def _key_button(self, name: str) -> w.Button:
        button = w.Button(description=name, layout=w.Layout(width="auto"))
        button.on_click(lambda _: self._start(self._keys([name])))
        return button

    def refresh(self) -> None:
        """Offer what the backend supports; disable the rest, saying why."""
        power, console = self.target.power, self.target.console
        for action, button in [*self.power_buttons.items(), ("sysrq", self.sysrq_button)]:
            button.disabled = not self.target.can(Action(action))
            button.tooltip = _why_not(action, power) if button.disabled else ""
        self.live.attach(console.session if console is not None else None)

    # -- clicks --------------------------------------------------------------------------------------
    def _ask(self, action: str) -> None:
        if action not in CONFIRM:
            self._start(self._power(action))
            return
        self.pending = action
        self.confirm_text.value = f"<b>{CONFIRM[action]}</b>"
        self.confirm_box.layout.display = "flex"

    def _confirmed(self) -> None:
        action, self.pending = self.pending, None
        self._hide_confirm()
        if action is not None:
            self._start(self._power(action))

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"

    def _start(self, coroutine: Awaitable[str]) -> None:
        """Run a click's work on the kernel's loop; never block the comm handler."""
        task = asyncio.get_event_loop().create_task(self._report(coroutine))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _report(self, coroutine: Awaitable[str]) -> None:
        try:
            message = await coroutine
        except ConsoleError as err:
            message = f"{type(err).__name__}: {err}"
        except Exception as err:  # noqa: BLE001 - a click must never take the kernel down
            message = f"error: {err}"
        self.output.append_stdout(message + "\n")

    async def _power(self, action: str, argument: str = "") -> str:
        return await self.target.power_action(action, argument, announce=False)

    async def _keys(self, names: list[str]) -> str:
        console = self.target.require_console()
        await console.type_text(console.key_text(names))
        return f"pressed {' '.join(names)}"

    async def _send_line(self) -> str:
        console = self.target.require_console()
        text, self.line.value = self.line.value, ""
        await console.type_text(text + "\r")
        return f"sent {text!r}"

    async def _boot_menu(self) -> str:
        return await self.target.boot_menu(announce=False)

    def bundle(self) -> dict:
        return self.widget._repr_mimebundle_()

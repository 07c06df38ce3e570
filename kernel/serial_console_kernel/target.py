"""The Target: one machine's console and power, with the notebook's settings and secrets.

This is the whole Jupyter-free API.  The kernel turns a cell into calls on a Target and the
answers into messages; the control panel and `serial-console run --in-process` call the same
methods.  What a Target has to say (the audit line of a power action, a note that a password
came from a default) goes to `say`, which the caller points at the right place.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import os
import time
from collections.abc import AsyncIterator, Callable, MutableMapping

from .engine.bootmenu import catch_boot_menu, selected_row
from .engine.console import Console
from .engine.logout import sign_out
from .engine.masking import Secrets
from .engine.patterns import Pattern, search
from .engine.prompts import DEFAULT_PROMPT, compile_prompt
from .engine.session import ConsoleSession
from .engine.settings import Settings, parse_size
from .engine.snapshot import Snapshot
from .engine.transcript import Transcript
from .errors import ConsoleError, ExpectationFailed
from .power import open_power
from .power.base import TEXT, Action, PowerBackend
from .power.line import LinePower
from .transports import Transport, open_transport
from .transports.base import default

NOT_CONNECTED = (
    "not connected: start with %connect TARGET, e.g. %connect sim:windows, "
    "%connect socket://127.0.0.1:4555, %connect /dev/ttyUSB0 --baud 115200"
)
# The match of %wait may sit mid-line: let the burst finish so the cell shows whole lines.
SETTLE_AFTER_MATCH = 0.15
# Signing in is slow (password hashing, PAM's 2-3 s delay after a wrong one): a pause then is
# not the end of the answer.  A prompt still ends the wait at once.
QUIET_AFTER_PASSWORD = 5.0
LOGOUT_LIMIT = 60.0  # seconds for signing out at most, however many steps it takes


def _quietly(text: str) -> None:
    """The default `say`: a Target used from a script keeps its notes to itself."""


class Target:
    def __init__(self, *, secrets: Secrets | None = None, say: Callable[[str], None] = _quietly,
                 environ: MutableMapping[str, str] | None = None) -> None:
        self.settings = Settings()
        # Runbook parameters and secrets (${SERIAL_CONSOLE_TARGET}, %password VAR, %env): the
        # process's environment, or a fleet run's own per target.
        self.environ: MutableMapping[str, str] = os.environ if environ is None else environ
        # Every secret typed here, masked in every session, transcript and message.
        self.secrets = secrets if secrets is not None else Secrets()
        self.say = say
        self.console: Console | None = None
        self.power: PowerBackend | None = None
        self.last_target: str | None = None
        self.transcript_path: str | None = None
        self._listeners: list[Callable[[], None]] = []
        self.signed_in = False  # a password was typed on this connection: sign out when leaving
        self.busy = False  # a cell runs
        self.last_activity = time.monotonic()
        self._idle_task: asyncio.Task | None = None

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever the console or the power backend changes (the panel)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- connection -------------------------------------------------------------------------------
    async def connect(self, target: str | None = None, *, baud: int | None = None,
                      keys: str | None = None, size: str | None = None,
                      prompt: str | None = None, power: str | None = None,
                      logout: str | None = None, take_over: bool = False) -> Console:
        """Open TARGET (the last one when None) with the transport's defaults for what is not
        given; settings change only once the console opened.  A console another client took
        over is taken back only with `take_over`."""
        target = (target or "").strip() or self.last_target
        if not target:
            raise ConsoleError("%connect needs a TARGET, e.g. %connect sim:windows or "
                               "%connect socket://127.0.0.1:4555")
        if (not take_over and self.console is not None and self.console.session.taken_over
                and self.console.target == target):
            raise ConsoleError(f"another client took over {target}: %connect --take-over takes "
                               "it back (that client is then disconnected)")
        settings = dataclasses.replace(self.settings)
        if baud:
            settings.baud = baud
        if size:
            settings.columns, settings.lines = parse_size(size)
        if prompt:
            compile_prompt(prompt)
            settings.prompt = prompt
        await self.disconnect()
        transport = await asyncio.to_thread(open_transport, target, baud=settings.baud,
                                            take_over=take_over, environ=self.environ)
        self._keep_secrets(transport)
        settings.keys = keys or default(transport, "default_keys") or "xterm"
        vars(self.settings).update(vars(settings))
        session = ConsoleSession(transport, columns=settings.columns, lines=settings.lines,
                                 scrollback=settings.scrollback, secrets=self.secrets)
        if self.transcript_path:
            transcript = Transcript(self.transcript_path)
            session.set_transcript(transcript)
            transcript.note(f"connected to {target}")
        if getattr(transport, "reconnects", False):
            session.reopen = lambda: self._keep_secrets(open_transport(
                target, baud=settings.baud, environ=self.environ))
        session.reconnect = settings.reconnect
        session.start()
        self.console = Console(session, self.settings, target)
        self.settings.logout = logout or "auto"
        self.signed_in = False
        self.last_target = target
        power = power or default(transport, "default_power")
        await self.set_power_backend(None if power == "none" else power)
        self.say(f"connected to {target}")
        await self.console.quiet()
        return self.console

    def _keep_secrets(self, transport: Transport) -> Transport:
        """A token the connection carries (Azure's): masked everywhere from now on."""
        for secret in getattr(transport, "secrets", ()):
            self.secrets.add(secret)
        return transport

    async def disconnect(self) -> str | None:
        """Sign out (see `sign_out`), then close the console; returns the target it was
        connected to."""
        if self.console is None:
            return None
        await self.sign_out()
        console, self.console = self.console, None
        await asyncio.to_thread(console.close)
        self._changed()
        return console.target

    async def sign_out(self, why: str = "") -> None:
        """Leave the console signed out when a sign-in happened on this connection (or always
        with `--logout LINE`); says what was done, and says loudly when it could not."""
        console, how = self.console, self.settings.logout
        if (console is None or how == "off" or (how == "auto" and not self.signed_in)
                or console.session.closed_reason or console.session.reconnecting):
            return
        try:
            done = await asyncio.wait_for(sign_out(console, how), LOGOUT_LIMIT)
        except ConsoleError as err:
            done = f"WARNING: {err}"
        except asyncio.TimeoutError:
            done = (f"WARNING: signing out took over {LOGOUT_LIMIT:g} s; the console may still "
                    "be signed in")
        else:
            self.signed_in = False
        done = f"{done} ({why})" if why else done
        self.say(done)
        console.session.note_in_transcript(done)

    # -- idle sign-out ----------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def activity(self) -> AsyncIterator[None]:
        """A cell runs: the idle clock starts again when it ends."""
        self.busy = True
        try:
            yield
        finally:
            self.busy, self.last_activity = False, time.monotonic()

    def set_idle_logout(self, minutes: float) -> None:
        self.settings.idle_logout_min = minutes
        self.last_activity = time.monotonic()
        if minutes and self._idle_task is None:
            self._idle_task = asyncio.get_running_loop().create_task(self._sign_out_when_idle())

    async def _sign_out_when_idle(self) -> None:
        while self.settings.idle_logout_min:
            idle = self.settings.idle_logout_min * 60
            wait = self.last_activity + idle - time.monotonic()
            if wait > 0 or self.busy:
                await asyncio.sleep(max(wait, 1.0))
                continue
            if self.signed_in or self.settings.logout not in ("auto", "off"):
                await self.sign_out(f"idle for {self.settings.idle_logout_min:g} min")
                if self.console is not None:
                    self.console.note(f"the console was signed out after "
                                      f"{self.settings.idle_logout_min:g} min without a cell")
            self.last_activity = time.monotonic()
        self._idle_task = None

    def require_console(self) -> Console:
        if self.console is None:
            raise ConsoleError(NOT_CONNECTED)
        self.console.session.require_connected()
        return self.console

    def status(self) -> str:
        s, console = self.settings, self.console
        if console is None:
            state = "not connected" + (f" (last target {self.last_target})" if self.last_target else "")
        elif console.session.reconnecting:
            state = f"{console.target}: {console.session.drop_note}"
        elif console.session.closed_reason:
            state = f"disconnected from {console.target}: {console.session.closed_reason}"
        else:
            state = f"connected to {console.target}"
            if console.session.malformed:
                state += (f" ({console.session.malformed} escape sequences dropped: the "
                          "emulation could not take them)")
        offered = [TEXT[action].label.lower() for action in Action
                   if action is not Action.STATUS and self.can(action)]
        power = f"power via {self.power.name}" if self.power is not None else "power: no backend"
        return "\n".join([
            state,
            f"{power}; can: {', '.join(offered) or 'nothing'}",
            f"screen {s.columns}x{s.lines}, keys {s.keys}, enter {s.enter}, baud {s.baud}",
            f"timeout {s.timeout:g} s, quiet {s.quiet_ms:g} ms, txdelay {s.txdelay_ms:g} ms, "
            f"paste-limit {s.paste_limit or 'off'}, scrollback {s.scrollback} lines",
            f"prompt {'(default)' if s.prompt == DEFAULT_PROMPT else repr(s.prompt)}",
            f"reconnect {'on' if s.reconnect else 'off'}, logout {s.logout}"
            f"{' (signed in here)' if self.signed_in else ''}, idle-logout "
            f"{f'{s.idle_logout_min:g} min' if s.idle_logout_min else 'off'}",
            f"log {self.transcript_path or 'off'}",
        ])

    # -- typing and looking -----------------------------------------------------------------------
    async def type_line(self, text: str) -> str:
        return await self.require_console().type_line(text)

    async def send(self, text: str) -> str:
        return await self.require_console().send(text)

    async def press(self, keys: list[str]) -> str:
        return await self.require_console().press(keys)

    async def press_until(self, keys: list[str], pattern: Pattern, *, limit: int = 50,
                          written: str | None = None) -> int:
        """Press `keys` until the selected row (a highlighted menu entry, else the cursor's row)
        matches: how many times they were pressed.  A layout is found by what it shows, not by
        counting rows that differ from one machine to the next."""
        console = self.require_console()
        for presses in range(limit + 1):
            row = console.session.inspect(selected_row)
            if search(pattern, row):
                return presses
            if presses < limit:
                await console.press(keys)
        raise ExpectationFailed(f"no row matched {written or pattern.pattern} after {limit} "
                                f"presses of {' '.join(keys)}; the selected row reads {row!r}")

    async def wait(self, pattern: Pattern, *, timeout: float | None = None, new: bool = False) -> None:
        console = self.require_console()
        await console.wait_text(pattern, timeout=timeout, new=new)
        await console.quiet_for(min(self.settings.quiet_ms / 1000, SETTLE_AFTER_MATCH))

    def expect(self, pattern: Pattern, written: str | None = None) -> None:
        self.require_console().expect(pattern, written=written)

    def password_from(self, envvar: str | None) -> str | None:
        """The secret in ENVVAR, else the transport's documented default (the simulator's)."""
        secret = self.environ.get(envvar) if envvar else None
        if not secret:
            secret = default(self.require_console().session.transport, "default_password")
            if secret:
                self.say(f"{envvar or 'no variable'} is not set: typing the simulator's "
                         "documented default password")
        return secret or None

    async def type_password(self, secret: str) -> str:
        """Type a secret and Enter: masked from now on everywhere, never echoed in a cell."""
        console = self.require_console()
        console.session.add_secret(secret)
        self.signed_in = True
        return await console.type_line(secret, what="the prompt after the password", echoed=False,
                                        quiet=max(self.settings.quiet_ms / 1000, QUIET_AFTER_PASSWORD))

    async def quiet(self) -> None:
        await self.require_console().quiet()

    def snapshot(self, full: bool = False) -> Snapshot:
        return self.require_console().snapshot(full)

    def interrupted(self) -> str:
        return self.console.interrupted() if self.console is not None else ""

    def take_notes(self) -> list[str]:
        return self.console.take_notes() if self.console is not None else []

    # -- settings -----------------------------------------------------------------------------------
    def set_prompt(self, pattern: str) -> None:
        pattern = DEFAULT_PROMPT if pattern == "default" else pattern
        compile_prompt(pattern)
        self.settings.prompt = pattern
        if self.console is not None:
            self.console.set_prompt(pattern)

    def set_size(self, text: str) -> None:
        self.settings.columns, self.settings.lines = parse_size(text)
        if self.console is not None:
            self.console.session.resize(self.settings.columns, self.settings.lines)

    def set_scrollback(self, lines: int) -> None:
        if lines < 0:
            raise ConsoleError("%scrollback must not be negative")
        self.settings.scrollback = lines
        if self.console is not None:
            self.console.session.set_scrollback(lines)

    def set_reconnect(self, on: bool) -> None:
        self.settings.reconnect = on
        if self.console is not None:
            self.console.session.reconnect = on

    def set_log(self, path: str) -> None:
        """Append everything to PATH from now on (secrets masked); "off" stops."""
        transcript = None
        if path != "off":
            try:
                transcript = Transcript(path)
            except OSError as err:
                raise ConsoleError(f"cannot write the log {path}: {err.strerror}") from None
            transcript.close()
        self.transcript_path = None if transcript is None else str(transcript.path)
        if self.console is not None:
            self.console.session.set_transcript(
                Transcript(self.transcript_path) if self.transcript_path else None)

    # -- power ----------------------------------------------------------------------------------------
    async def set_power_backend(self, spec: str | None) -> None:
        if self.power is not None:
            await self.power.close()
            self.power = None
        if spec:
            transport = self.console.session.transport if self.console is not None else None
            self.power = open_power(spec, transport)
        self._changed()

    def can(self, action: Action) -> bool:
        """Whether the power backend or the line itself can do it (what the panel offers)."""
        if self.power is not None and action in self.power.actions:
            return True
        return (action in (Action.BREAK, Action.SYSRQ) and self.console is not None
                and bool(getattr(self.console.session.transport, "can_break", False)))

    def _backend_for(self, action: Action) -> PowerBackend:
        console = self.require_console()
        if self.power is not None and action in self.power.actions:
            return self.power
        if action in (Action.BREAK, Action.SYSRQ):
            return LinePower(console.session.transport)
        if self.power is None:
            raise ConsoleError(f"no power backend to {TEXT[action].label.lower()} with: "
                               "%connect … --power qmp:PATH|sim|cmd:…, or %power-backend")
        return self.power  # its `run` names what it does support

    async def power_action(self, action: Action | str, argument: str = "", *,
                           announce: bool = True) -> str:
        """Do it and leave the audit line: to `say` (`announce`) and, timed, in the log."""
        action = Action(action)
        backend = self._backend_for(action)
        console = self.require_console()
        if action is not Action.STATUS:
            console.session.mark_input()
        answer = await backend.run(action.value, argument)
        if action is Action.STATUS:
            line = f"power status via {backend.name}: {answer}"
        else:
            line = f"{TEXT[action].done.format(argument)} via {backend.name}"
        if announce:
            self.say(line)
        transcript = console.session.transcript
        if transcript is not None:
            now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            transcript.note(f"{line} at {now}")
        return line

    async def act(self, action: Action | str, argument: str = "") -> str:
        """Do it, then wait for the machine's answer as after a typed line: what it printed
        in answer (the NMI message, SysRq's help) belongs to this step."""
        action = Action(action)
        what = f"the console after {TEXT[action].done.format(argument)}"
        return await self.require_console().act(lambda: self.power_action(action, argument), what)

    async def boot_menu(self, *, select: str | None = None, keys: str | None = None,
                        timeout: float | None = None, announce: bool = True) -> str:
        console = self.require_console()
        # Windows needs F8 before the OS loads; GRUB shows its menu unasked (see bootmenu).
        key = keys or ("F8" if self.settings.keys == "ems" else None)
        action = Action.RESET if self.power is not None and Action.RESET in self.power.actions \
            else Action.RESTART

        async def restart() -> None:
            await self.power_action(action, announce=announce)

        return await catch_boot_menu(console, restart, key=key, select=select,
                                     timeout=timeout or max(self.settings.timeout, 60))

    async def close(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
            self._idle_task = None
        await self.disconnect()
        if self.power is not None:
            await self.power.close()
            self.power = None

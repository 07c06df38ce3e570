"""Engine: the console session: a reader that never stops, the screen it feeds, bounded waits.

A thread reads the transport all the time the console is connected (also between cells), feeds
the emulator and the transcript, and wakes whoever waits.  Waits are asyncio coroutines, so the
kernel's event loop stays free for widgets and interrupts while a cell waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ..errors import TakenOver, TransportClosed, WaitTimeout, WriteStopped
from .ingest import FastForwardStream
from .masking import Secrets
from .screen import ConsoleScreen
from .snapshot import Snapshot, render, take_snapshot
from .transcript import Transcript

if TYPE_CHECKING:
    from ..transports.base import Transport  # the engine takes any object with its methods

T = TypeVar("T")
# After a drop: attempts to open the transport again, this long apart (about 30 s in all).
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
# A connection that drops again and again (a server that accepts, then closes) is given up.
MAX_DROPS, DROPS_WINDOW = 5, 60.0
# What a console server says to the client it pushes out (ours; Azure's and others' wording).
TAKEN_OVER = re.compile(r"another (client|user|session)\b[^\n]{0,60}\btook over", re.IGNORECASE)
TAKEN_OVER_REASON = "another client took over the console"




@dataclass
class Progress:
    """How far the console got: bytes received, when the last byte came, and how often output
    went on to another row (line feeds, or a chunk that left the cursor on another row)."""

    received: int
    last_received: float
    rows_begun: int = 0
    drawn: int = 0  # the screen's drawn_total: an offset into what was drawn


class ConsoleSession:
    def __init__(
        self,
        transport: Transport,
        *,
        columns: int = 80,
        lines: int = 25,
        scrollback: int = 2000,
        secrets: Secrets | None = None,
    ) -> None:
        self.transport = transport
        self.screen = ConsoleScreen(columns, lines, scrollback)
        self._stream = FastForwardStream(self.screen)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._received = 0
        self._row_changes = 0
        self._last_received = time.monotonic()
        self.closed_reason: str | None = None
        self.transcript: Transcript | None = None
        self.secrets = secrets if secrets is not None else Secrets()
        # Where the drawn text stood when the notebook last sent something (a line, a key, a
        # power action, the connect): %wait looks from there.
        self.input_at = 0
        self._stopping = threading.Event()
        self._write_lock = threading.Lock()
        self._abort = threading.Event()
        self.sent = 0  # bytes of the last write that went out
        # Reconnecting: `reopen` opens the transport again; None (or reconnect off) ends the
        # session at the first drop.
        self.reopen: Callable[[], Transport] | None = None
        self.reconnect = False
        self.reconnecting: str | None = None  # why, while it tries
        self.drops = 0  # connections lost; a wait that sees this change fails
        self.drop_note = ""  # what the last drop came to
        self._gap_notes: list[str] = []  # said once, by the next cell
        self.taken_over = False  # pushed out by another client: no reconnecting over it
        self._drop_times: list[float] = []
        self._reader = threading.Thread(target=self._read_loop, name="console-reader", daemon=True)

    @property
    def description(self) -> str:
        return self.transport.description

    def start(self) -> None:
        self._reader.start()

    # -- the reader thread ----------------------------------------------------------------
    def _read_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self.transport.read(0.25)
            except TransportClosed as err:
                if self._stopping.is_set():
                    break
                # The transport knows (a forced libvirt console), or the console said so.
                if isinstance(err, TakenOver) or self.inspect(lambda screen: bool(TAKEN_OVER.search(
                        screen.text_since(max(0, screen.drawn_total - 400))))):
                    self.taken_over = True
                    why = str(err) if isinstance(err, TakenOver) else TAKEN_OVER_REASON
                    self.closed_reason = (f"{why}; %connect --take-over takes it back (the other "
                                          "client is then disconnected)")
                    break
                if self.reconnect and self.reopen is not None:
                    if self._reconnect(str(err)):
                        continue
                    self.closed_reason = self.drop_note
                    break
                self.closed_reason = str(err)
                break
            except Exception as err:  # noqa: BLE001 - the reader must report, never die silently
                self.closed_reason = f"{self.description}: {type(err).__name__}: {err}"
                break
            if not data:
                continue
            try:
                self.feed(data)
            except Exception as err:  # noqa: BLE001 - loudly: never a stale screen and `ok`
                # Malformed sequences are dropped inside the emulation (ingest.py); what still
                # escapes is a bug of ours, and the console is closed rather than left stale.
                self.closed_reason = (f"the terminal emulation failed on the console's output "
                                      f"({type(err).__name__}: {err}); %connect starts afresh")
                break
        self._notify()

    def _reconnect(self, reason: str) -> bool:
        """Open the transport again, with backoff; the gap is noted in the transcript and for
        the next cell.  False when every attempt failed (or the session is closing)."""
        assert self.reopen is not None
        started = time.monotonic()
        self._drop_times = [t for t in self._drop_times if started - t < DROPS_WINDOW] + [started]
        if len(self._drop_times) > MAX_DROPS:
            self.drop_note = (f"the connection dropped {len(self._drop_times)} times within "
                              f"{DROPS_WINDOW:g} s; not reconnecting again ({reason})")
            return False
        self.drops += 1
        self.reconnecting = reason
        self.drop_note = f"the connection dropped ({reason}); reconnecting"
        self.note_in_transcript(f"connection dropped: {reason}")
        self._notify()
        error: Exception | None = None
        for delay in RECONNECT_DELAYS:
            if self._stopping.wait(delay):
                return False
            try:
                transport = self.reopen()
            except Exception as err:  # noqa: BLE001 - any failure to open is one more attempt
                error = err
                continue
            old, self.transport = self.transport, transport
            with contextlib.suppress(Exception):
                old.close()
            self.reconnecting = None
            self.drop_note = (f"reconnected after {time.monotonic() - started:.1f} s; output "
                              "during the gap may be missing")
            self._gap_notes.append(self.drop_note)
            self.note_in_transcript(self.drop_note)
            self._notify()
            return True
        self.reconnecting = None
        self.drop_note = f"could not reconnect in {len(RECONNECT_DELAYS)} attempts ({error})"
        return False

    def note_in_transcript(self, text: str) -> None:
        with self._lock:
            if self.transcript is not None:
                self.transcript.note(text)

    def connection_note(self) -> str:
        """For the live view: why the console is gone, or the last drop and what it came to."""
        note = f"disconnected: {self.closed_reason}" if self.closed_reason else self.drop_note
        return self.secrets.text(note)

    def take_gap_notes(self) -> list[str]:
        notes, self._gap_notes = self._gap_notes, []
        return notes

    def feed(self, data: bytes) -> None:
        with self._lock:
            row = self.screen.cursor.y
            self._stream.feed(data)
            # Per chunk, not per move: a status line drawn elsewhere and the cursor put back
            # is not a new row of output.
            if self.screen.cursor.y != row:
                self._row_changes += 1
            self._received += len(data)
            self._last_received = time.monotonic()
            if self.transcript is not None:
                self.transcript.write(data)
        self._notify()

    @property
    def malformed(self) -> int:
        """Escape sequences dropped because the emulation could not take them."""
        return self._stream.malformed

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # -- writing ----------------------------------------------------------------------------
    def write(self, data: bytes, timeout: float | None = None) -> None:
        """Bounded by `timeout`; `abort_writes` stops it within a quarter of a second."""
        self.require_connected()
        with self._write_lock:
            self._abort.clear()
            self.sent = 0
            try:
                self.transport.write(data, timeout=timeout, abort=self._abort)
            except WriteStopped as err:
                self.sent = err.sent
                raise
            self.sent = len(data)

    def abort_writes(self) -> bool:
        """Stop a write in progress; True once no write is running (waits up to 1 s)."""
        self._abort.set()
        if self._write_lock.acquire(timeout=1):
            self._write_lock.release()
            return True
        return False

    def require_connected(self) -> None:
        if self.reconnecting:
            raise TransportClosed(f"{self.drop_note}; try again in a moment")
        if self.closed_reason:
            raise TransportClosed(
                f"console disconnected ({self.closed_reason}); %connect reconnects to the same target"
            )

    # -- reading ----------------------------------------------------------------------------
    def progress(self) -> Progress:
        with self._lock:
            return self._progress()

    def _progress(self) -> Progress:
        return Progress(self._received, self._last_received,
                        self.screen.line_feeds + self._row_changes, self.screen.drawn_total)

    def mark_input(self) -> Progress:
        """The notebook is about to send something: what arrives from now on answers it."""
        with self._lock:
            self.input_at = self.screen.drawn_total
            return self._progress()

    def snapshot(self, full: bool = False) -> Snapshot:
        """Consume what scrolled since the last snapshot and render what is new (`full`: the
        whole screen)."""
        with self._lock:
            return take_snapshot(self.screen, self.secrets, full)

    def live_html(self) -> str:
        """The screen as HTML for the live view; what a cell will show is left alone."""
        with self._lock:
            return render(self.screen, self.secrets).html()

    def inspect(self, look: Callable[[ConsoleScreen], T]) -> T:
        """Run `look` on the screen while the reader cannot change it."""
        with self._lock:
            return look(self.screen)

    def resize(self, columns: int, lines: int) -> None:
        with self._lock:
            self.screen.resize(lines, columns)

    def set_scrollback(self, lines: int) -> None:
        with self._lock:
            self.screen.set_scrollback(lines)

    def set_transcript(self, transcript: Transcript | None) -> None:
        with self._lock:
            old, self.transcript = self.transcript, transcript
            if transcript is not None:
                transcript.set_secrets(self.secrets)
        if old is not None:
            old.close()

    def add_secret(self, secret: str) -> None:
        self.secrets.add(secret)

    # -- waiting ----------------------------------------------------------------------------
    async def wait_for(
        self,
        done: Callable[[ConsoleScreen, Progress], str | float | None],
        *,
        timeout: float,
        quiet: float | None = None,
        since: float | None = None,
        what: str = "the console",
    ) -> str:
        """Wait until `done(screen, progress)` names a reason, or `quiet` seconds pass with no
        byte received (counting from `since`), or `timeout` runs out (WaitTimeout).  `done` may
        instead return a time (time.monotonic) to be asked again then, with or without new
        output.

        `done` runs under the screen lock, on every chunk received: keep it cheap.
        """
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed under us: nobody waits
                loop.call_soon_threadsafe(woken.set)

        start = time.monotonic() if since is None else since
        deadline = time.monotonic() + timeout
        drops = self.drops
        self.add_listener(wake)
        try:
            while True:
                woken.clear()
                with self._lock:
                    progress = self._progress()
                    reason = done(self.screen, progress)
                recheck = None
                if isinstance(reason, float):
                    reason, recheck = None, reason
                if reason:
                    return reason
                if self.drops != drops:
                    raise TransportClosed(f"while waiting for {what}, {self.drop_note}")
                self.require_connected()
                now = time.monotonic()
                wake_at = deadline if recheck is None else min(deadline, recheck)
                if quiet is not None:
                    quiet_since = max(progress.last_received, start)
                    if now - quiet_since >= quiet:
                        return "quiet"
                    wake_at = min(wake_at, quiet_since + quiet)
                if now >= deadline:
                    raise WaitTimeout(f"timed out after {timeout:g} s waiting for {what}")
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(woken.wait(), max(0.0, wake_at - now))
        finally:
            self.remove_listener(wake)

    def close(self) -> None:
        self._stopping.set()
        self.transport.close()
        if self._reader.is_alive() and self._reader is not threading.current_thread():
            self._reader.join(timeout=2)
        self.set_transcript(None)

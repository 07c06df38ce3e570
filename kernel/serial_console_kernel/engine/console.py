"""Engine: what a cell does to a console: type a line and settle, press keys, wait, expect.

A typed line is answered when (a) its echo and the Enter came back (with no echo: once output
went on to a new row), then (b) a prompt begins the logical line at the cursor.  The prompt
that ended the last line is expected first; another shape must hold still for a moment first,
so that output pausing on a prompt-like line does not end the cell.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from ..errors import ConsoleError, ExpectationFailed, WaitTimeout, WriteStopped
from .keys import key_bytes, key_names
from .patterns import Pattern, search
from .prompts import DEFAULT_PROMPT, PAGER_NOTE, compile_prompt, learned_prompt, pager_waiting
from .screen import ConsoleScreen
from .session import ConsoleSession, Progress
from .settings import ENTER, Settings
from .snapshot import Snapshot

# How long a prompt not seen before must hold still to end a line.  The output it guards
# against pauses for tens of ms (Nagle's 40 ms, a printk split in two); the prompt the line
# ended on last time ends the next one at once, so this is paid only when the prompt changes.
NEW_PROMPT_SETTLE = 0.1



class EchoTracker:
    """Finds the echo of a typed line in what is drawn after it was typed: its printable
    characters in order, whatever a line editor drew in between (bash redraws a line longer
    than the row with cursor moves and padding), then a new row."""

    def __init__(self, typed: str, start: int) -> None:
        self.wanted = "".join(char for char in typed if char.isprintable())
        self.found = 0
        self.scanned = start  # absolute offset in the drawn text
        self.start = start
        self.end: int | None = None  # just after the echo
        self.rows_at_end = 0
        self.answered = False

    def feed(self, screen: ConsoleScreen, progress: Progress) -> bool:
        """True once the echo and a new row after it have come back."""
        if self.answered:
            return True
        text = screen.text_since(self.scanned)
        base = screen.drawn_total - len(text)
        self.scanned = screen.drawn_total
        position = 0
        if self.end is None:
            wanted, found = self.wanted, self.found
            while found < len(wanted):
                position = text.find(wanted[found], position)
                if position < 0:
                    self.found = found
                    return False
                found, position = found + 1, position + 1
            self.found, self.end, self.rows_at_end = found, base + position, progress.rows_begun
        if text.find("\n", position) >= 0 or progress.rows_begun > self.rows_at_end:
            self.answered = True
        return self.answered


class Console:
    """A connected session plus the notebook's settings."""

    def __init__(self, session: ConsoleSession, settings: Settings, target: str) -> None:
        self.session = session
        self.settings = settings
        self.target = target
        self._prompt = compile_prompt(settings.prompt)
        self._known_prompt: Pattern | None = None
        self.echoes: bool | None = None  # learned: does this console echo typed lines?
        self._unechoed = 0  # lines in a row whose output came but never their echo
        self.notes: list[str] = []  # said once after the cell (a pager waits, …)
        self._typed: list[tuple[str, int, int | None]] = []  # this cell's lines: text, echo span
        self.typing: tuple[str, int, str] | None = None  # text, characters sent, piece under way

    def set_prompt(self, pattern: str) -> None:
        self._prompt = compile_prompt(pattern)
        self._known_prompt = None
        self.settings.prompt = pattern

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def take_notes(self) -> list[str]:
        notes, self.notes = self.notes, []
        return self.session.take_gap_notes() + notes

    # -- typing -------------------------------------------------------------------------------
    async def type_text(self, text: str, echo: EchoTracker | None = None) -> None:
        """Write text: whole, or in %paste-limit pieces paced on their echo (`echo` follows it;
        one is made when none is given), or with %txdelay one character at a time, for UARTs
        that drop bytes.  Each write is bounded by %timeout; `typing` says what is under way,
        for an interrupt."""
        delay = self.settings.txdelay_ms / 1000
        limit = int(self.settings.paste_limit)
        if delay:
            pieces = list(text)
        elif limit and len(text) > limit:
            pieces = [text[start:start + limit] for start in range(0, len(text), limit)]
            if self.echoes is False:
                raise ConsoleError(
                    f"not typed: {len(text)} characters is over %paste-limit {limit}, and this "
                    "console does not echo, so the pieces cannot wait for their echo: set "
                    "%txdelay MS to pace them by time, or raise %paste-limit")
            if echo is None:
                echo = EchoTracker(text, self.session.progress().drawn)
        else:
            pieces = [text]
        done = echoed = 0  # characters sent; printable ones, which the echo shows
        try:
            for piece in pieces:
                self.typing = (text, done, piece)
                await asyncio.to_thread(self.session.write, piece.encode("utf-8"), self.settings.timeout)
                done += len(piece)
                if delay:
                    self.typing = (text, done, "")
                    await asyncio.sleep(delay)
                elif len(pieces) > 1 and done < len(text):
                    self.typing = (text, done, "")
                    echoed += sum(1 for char in piece if char.isprintable())
                    await self._echo_of(text, done, echoed, echo)
        except WriteStopped as err:
            self.typing = None
            raise ConsoleError(str(err)) from None
        self.typing = None  # an interrupt (CancelledError) leaves it for `interrupted`

    async def _echo_of(self, text: str, done: int, wanted: int, echo: EchoTracker | None) -> None:
        """Until the console echoed the first `done` characters of `text` (`wanted` of them
        printable)."""
        assert echo is not None, "pieces are paced on an echo tracker"

        def echoed(screen: ConsoleScreen, progress: Progress) -> str | None:
            return "echoed" if echo.feed(screen, progress) or echo.found >= wanted else None

        try:
            await self.session.wait_for(echoed, timeout=self.settings.timeout,
                                        what=f"the echo of the first {done} characters")
        except WaitTimeout:
            raise ConsoleError(
                f"typed {done} of {len(text)} characters in pieces of %paste-limit "
                f"{self.settings.paste_limit}, and their echo did not come back within "
                f"{self.settings.timeout:g} s; the rest was not sent and the typed part is still "
                "in the console's input line. A console that does not echo needs %txdelay "
                "instead") from None

    def interrupted(self) -> str:
        """After an interrupt: stop a write in progress and say what it left in the console's
        input line; clear it with Ctrl-U where the line began at a shell prompt we know."""
        typing, self.typing = self.typing, None
        if typing is None:
            return ""
        if not self.session.abort_writes():
            return "; a write to the console is still stuck (it reads nothing)"
        text, done, piece = typing
        if piece:  # as far as the write under way went
            done += len(piece.encode("utf-8")[:self.session.sent].decode("utf-8", "ignore"))
        left = text[:done].rstrip("\r\n")
        if done >= len(text) or not left:
            return ""
        if self.settings.keys == "xterm" and self.session.inspect(
                lambda screen: self._at_known_prompt(screen.line_before_cursor(), left)):
            self.session.write(b"\x15", 2)  # Ctrl-U: readline's and the tty's line kill
            return f"; {left!r} was typed without Enter and is cleared with Ctrl-U"
        return f"; {left!r} was typed without Enter and is still in the console's input line"

    def _at_known_prompt(self, line: str, typed: str) -> bool:
        """`line` is the prompt this console ends lines on, then (some of the echo of) `typed`."""
        if self._known_prompt is None:
            return False
        for echoed in range(len(typed), -1, -1):
            if line.endswith(typed[:echoed]):
                return bool(search(self._known_prompt, line[:len(line) - echoed]))
        return False

    def refuse_in_pager(self) -> None:
        if self.session.inspect(_in_pager):
            raise ConsoleError("not typed: " + PAGER_NOTE)

    async def type_line(self, line: str, *, what: str | None = None, quiet: float | None = None,
                        echoed: bool = True) -> str:
        """Type a line and Enter, then wait until its answer ends: a prompt, quiet (%quiet unless
        given), a pager, or the timeout.  `echoed=False` for text the console does not echo."""
        self.refuse_in_pager()
        before = self.session.mark_input()
        tracker = EchoTracker(line, before.drawn) if echoed else None
        await self.type_text(line + ENTER[self.settings.enter], tracker)
        # Silence counts from the end of typing: a write can be held (a paced paste, a libvirt
        # console QEMU has not seen yet), and the answer cannot come before it.
        started = time.monotonic()
        reason = await self.settle(before, started, what or f"the prompt after {line!r}", quiet,
                                   tracker)
        if tracker is not None:
            self._typed.append((line, tracker.start, tracker.end))
            if tracker.end is not None:
                self.echoes, self._unechoed = True, 0
            elif reason == "quiet" and self.session.progress().received > before.received:
                # Output came, never the echo (twice: once may be a line lost during a boot):
                # from now on judge by new rows.
                self._unechoed += 1
                if self._unechoed >= 2:
                    self.echoes = False
        return reason

    def key_text(self, names: list[str]) -> str:
        try:
            return "".join(key_bytes(name, self.settings.keys) for name in names)
        except KeyError as err:
            raise ConsoleError(
                f"unknown key {err.args[0]!r}; keys: {', '.join(key_names(self.settings.keys)[:40])}…"
            ) from None

    async def press(self, names: list[str]) -> str:
        return await self.send(self.key_text(names), what=f"the console after %key {' '.join(names)}")

    async def send(self, text: str, *, what: str = "the console") -> str:
        return await self.act(lambda: self.type_text(text), what)

    async def act(self, action: Callable[[], Awaitable[object]], what: str) -> str:
        """Do something to the machine (keys, a power action) and wait for its answer, as a
        typed line does, so the cell shows what the machine printed in answer."""
        before = self.session.mark_input()
        await action()
        return await self.settle(before, time.monotonic(), what)  # see type_line

    async def settle(self, before: Progress, started: float, what: str,
                     quiet: float | None = None, echo: EchoTracker | None = None) -> str:
        """Done at a prompt once the answer began (see the module), at a pager, or after %quiet
        of silence.

        Without an echo to find, the answer began when output went on to another row: the tail
        of the old prompt (its last space, busybox's ESC[6n after it) may arrive after typing
        began, and must not end the wait at the old prompt."""
        prompt, known = self._prompt, self._known_prompt
        user_prompt = self.settings.prompt != DEFAULT_PROMPT
        ended_on = ""

        def answered(screen: ConsoleScreen, progress: Progress) -> str | float | None:
            nonlocal ended_on
            echoed = echo is not None and echo.feed(screen, progress)
            if echo is not None and self.echoes is not False:
                if not echoed:
                    return None
            elif progress.rows_begun <= before.rows_begun:
                return None
            if _in_pager(screen):
                return "pager"
            line = screen.line_before_cursor()
            if known is not None and search(known, line):
                return "prompt"
            if not search(prompt, line):
                return None
            held = progress.last_received + NEW_PROMPT_SETTLE
            if user_prompt or time.monotonic() >= held:
                ended_on = line
                return "prompt"
            return held

        reason = await self.session.wait_for(
            answered,
            timeout=self.settings.timeout,
            quiet=self.settings.quiet_ms / 1000 if quiet is None else quiet,
            since=started,
            what=what,
        )
        if ended_on:
            self._known_prompt = learned_prompt(ended_on)
        if reason == "pager":
            self.note(PAGER_NOTE)
        return reason

    async def quiet(self) -> None:
        """Let a redraw in progress finish before a snapshot (never longer than %timeout)."""
        await self.quiet_for(self.settings.quiet_ms / 1000)

    async def quiet_for(self, seconds: float) -> None:
        await self.session.wait_for(
            lambda screen, progress: None,
            timeout=self.settings.timeout,
            quiet=seconds,
            since=0.0,
            what="the console to go quiet",
        )

    # -- waiting and checking -----------------------------------------------------------------
    async def wait_text(self, pattern: Pattern, *, timeout: float | None = None,
                        new: bool = False) -> str:
        """Wait for output that matches `pattern`: output since the notebook last sent
        something, even if a cell showed it already (`new`: only output no cell has shown)."""
        floor = self.session.screen.shown_at if new else self.session.input_at
        searched = floor

        def found(screen: ConsoleScreen, progress: Progress) -> str | None:
            nonlocal searched
            # Search only what is new, less an overlap for a match split across chunks.
            text = screen.text_since(max(floor, searched - 4096))
            searched = screen.drawn_total
            return "found" if search(pattern, text) else None

        return await self.session.wait_for(
            found,
            timeout=self.settings.timeout if timeout is None else timeout,
            what=f"{pattern.pattern!r}",
        )

    def expect(self, pattern: Pattern, written: str | None = None) -> None:
        """Assert on this cell's output and the screen, leaving out the echo of the lines this
        cell typed (a check must not pass on the command that was meant to produce the text);
        `written` is the pattern as typed."""
        typed = list(self._typed)

        def text(screen: ConsoleScreen) -> str:
            output, position = [], screen.shown_at
            for _, start, end in typed:
                if end is not None and end > position:
                    output.append(screen.text_since(position)[:max(0, start - position)])
                    position = end
            output.append(screen.text_since(position))
            rows = screen.logical_lines()
            for line, _, _ in typed:
                line = line.rstrip()
                rows = [row[:-len(line)] if line and row.endswith(line) else row for row in rows]
            return "".join(output) + "\n" + "\n".join(rows)

        if not search(pattern, self.session.inspect(text)):
            shown = written or pattern.pattern
            raise ExpectationFailed(f"expected {shown} in the output, but it is not there")

    def snapshot(self, full: bool = False) -> Snapshot:
        self._typed = []
        return self.session.snapshot(full)

    def close(self) -> None:
        self.session.close()


def _in_pager(screen: ConsoleScreen) -> bool:
    row = screen.row_text(screen.cursor.y)
    if row.strip() == ":":  # less between pages: only after a page of output
        return screen.cursor.y >= screen.lines // 2
    return bool(row) and pager_waiting(row)

"""What a cell does to a console: type a line and settle, press keys, wait for text, expect."""

from __future__ import annotations

import asyncio
import re
import time

from .errors import ConsoleError
from .keys import key_bytes, key_names
from .screen import ConsoleScreen
from .session import ConsoleSession, Progress, compile_prompt
from .settings import ENTER, Settings
from .snapshot import Snapshot


class ExpectationFailed(ConsoleError):
    """%expect did not find what the runbook says must be there."""


class Console:
    """A connected session plus the notebook's settings."""

    def __init__(self, session: ConsoleSession, settings: Settings, target: str) -> None:
        self.session = session
        self.settings = settings
        self.target = target
        self._prompt = compile_prompt(settings.prompt)

    @staticmethod
    def validate_prompt(pattern: str) -> None:
        compile_prompt(pattern)

    def set_prompt(self, pattern: str) -> None:
        self._prompt = compile_prompt(pattern)
        self.settings.prompt = pattern

    # -- typing -------------------------------------------------------------------------------
    async def type_text(self, text: str) -> None:
        """Write text; with %txdelay, one character at a time for UARTs that drop bytes."""
        data = text.encode("utf-8")
        delay = self.settings.txdelay_ms / 1000
        if not delay:
            await asyncio.to_thread(self.session.write, data)
            return
        for char in text:
            await asyncio.to_thread(self.session.write, char.encode("utf-8"))
            await asyncio.sleep(delay)

    async def type_line(self, line: str, *, what: str | None = None,
                        quiet: float | None = None) -> str:
        """Type a line and Enter, then wait until the prompt, quiet (%quiet unless given) or
        timeout."""
        before = self.session.progress()
        started = time.monotonic()
        await self.type_text(line + ENTER[self.settings.enter])
        return await self.settle(before, started, what or f"the prompt after {line!r}", quiet)

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
        before = self.session.progress()
        started = time.monotonic()
        await self.type_text(text)
        return await self.settle(before, started, what)

    async def settle(self, before: Progress, started: float, what: str,
                     quiet: float | None = None) -> str:
        """Done when a prompt shows at the cursor after new output, or after %quiet of silence.

        New output means output that went on to another row, as every answer to a typed line
        does: the tail of the old prompt (its last space, busybox's ESC[6n query after it) may
        arrive after typing began, and must not end the wait at the old prompt."""
        prompt = self._prompt

        def at_prompt(screen: ConsoleScreen, progress: Progress) -> str | None:
            if progress.rows_begun > before.rows_begun and prompt.search(screen.text_before_cursor()):
                return "prompt"
            return None

        return await self.session.wait_for(
            at_prompt,
            timeout=self.settings.timeout,
            quiet=self.settings.quiet_ms / 1000 if quiet is None else quiet,
            since=started,
            what=what,
        )

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
    async def wait_text(self, pattern: re.Pattern[str], *, timeout: float | None = None) -> str:
        """Wait for output not shown yet (since the last snapshot) that matches `pattern`."""
        searched = 0

        def found(screen: ConsoleScreen, progress: Progress) -> str | None:
            nonlocal searched
            text = screen.fresh_text()
            # Search only what is new, less an overlap for a match split across chunks.
            start = max(0, min(searched, len(text)) - 4096)
            searched = len(text)
            return "found" if pattern.search(text, start) else None

        return await self.session.wait_for(
            found,
            timeout=self.settings.timeout if timeout is None else timeout,
            what=f"{pattern.pattern!r}",
        )

    def expect(self, pattern: re.Pattern[str], written: str | None = None) -> None:
        """Assert on this cell's output and the screen; `written` is the pattern as typed."""
        text = self.session.inspect(lambda s: s.fresh_text() + "\n" + "\n".join(s.rows_text()))
        if not pattern.search(text):
            shown = written or pattern.pattern
            raise ExpectationFailed(f"expected {shown} in the output, but it is not there")

    def snapshot(self) -> Snapshot:
        return self.session.snapshot()

    def close(self) -> None:
        self.session.close()

"""Restart and catch the boot menu, atomically: the wait is armed before the reset, the menu key
is pressed until a menu shows, and with a selection the highlight is walked to it and chosen.

Users miss boot menus by hand (a 2-second window after a reset); this must not.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ..errors import ConsoleError
from .console import Console
from .screen import ConsoleScreen

if TYPE_CHECKING:
    from .session import Progress

MENU = re.compile(r"GNU GRUB|Windows Boot Manager|Advanced Boot Options|Boot Menu|Boot Manager")
KEY_INTERVAL = 0.2


def highlighted_row(screen: ConsoleScreen) -> int | None:
    """The row drawn mostly in reverse video: a menu's highlight (GRUB, Windows Boot Manager)."""
    best, best_count = None, 0
    for y in range(screen.lines):
        line = screen.buffer.get(y)
        if not line:
            continue
        count = sum(1 for x in range(screen.columns) if line[x].reverse and line[x].data.strip())
        if count > best_count:
            best, best_count = y, count
    return best


FRAME = " |\u2502*"  # GRUB's ASCII box, a box-drawing one, GRUB's highlight mark


def selected_row(screen: ConsoleScreen) -> str:
    """The menu entry that is highlighted, else the row the cursor is on (an editor's line),
    without the frame around it: GRUB's editor row ` |        linux /boot/…` reads `linux …`."""
    row = highlighted_row(screen)
    return screen.row_text(screen.cursor.y if row is None else row).strip(FRAME)


def _menu_rows(screen: ConsoleScreen, text: str) -> list[int]:
    """The entries that contain `text`; only the one that reads exactly `text` when there is one
    ("Safe Mode" is not "Safe Mode with Command Prompt")."""
    rows = [y for y in range(screen.lines) if text.lower() in screen.row_text(y).lower()]
    exact = [y for y in rows if screen.row_text(y).strip(FRAME + " ").lower() == text.lower()]
    return exact or rows


async def catch_boot_menu(console: Console, restart: Callable[[], Awaitable[None]], *,
                          key: str | None, timeout: float, select: str | None = None,
                          menu: re.Pattern[str] = MENU) -> str:
    """`restart` is an awaitable factory (the power backend's reset); returns what was done.

    With `key` (F8 for Windows), the key is pressed until a menu shows.  Without, nothing is
    pressed before the menu: a key sent while GRUB loads aborts it before its serial output."""
    session = console.session
    # What is on screen now is old: only a menu drawn after the reset counts.
    since = session.mark_input().drawn
    await restart()
    deadline = time.monotonic() + timeout

    def menu_shown(screen: ConsoleScreen, progress: Progress | None) -> str | None:
        return "menu" if menu.search(screen.text_since(since)) else None

    while not session.inspect(lambda s: menu_shown(s, None)):
        if time.monotonic() >= deadline:
            pressed = f" (pressed {key} every {KEY_INTERVAL:g} s)" if key else ""
            raise ConsoleError(f"no boot menu within {timeout:g} s after the restart{pressed}")
        if key:
            await console.type_text(console.key_text([key]))
        try:
            await session.wait_for(menu_shown, timeout=KEY_INTERVAL if key else deadline - time.monotonic(),
                                   what="the boot menu")
        except ConsoleError:
            continue
    await console.quiet_for(0.3)
    if select is not None:
        return await _walk_to(console, select, deadline)
    await _stop_countdown(console)
    return "boot menu caught"


async def _stop_countdown(console: Console) -> None:
    """Any key stops a menu's countdown; undo the move if the highlight went with it."""
    before = console.session.inspect(highlighted_row)
    await console.press(["Down"])
    if console.session.inspect(highlighted_row) != before:
        await console.press(["Up"])


async def _walk_to(console: Console, text: str, deadline: float) -> str:
    session = console.session
    for _ in range(40):
        where = session.inspect(lambda s: (highlighted_row(s), _menu_rows(s, text)))
        current, wanted = where
        if not wanted:
            raise ConsoleError(f"no menu entry contains {text!r}")
        if current in wanted:
            await console.press(["Enter"])
            return f"selected the entry with {text!r}"
        if current is None:
            raise ConsoleError("cannot see which menu entry is highlighted")
        if time.monotonic() >= deadline:
            raise ConsoleError(f"timed out walking the menu to {text!r}")
        await console.press(["Down" if wanted[0] > current else "Up"])
        await asyncio.sleep(0)
    raise ConsoleError(f"could not reach the entry with {text!r} in 40 moves")

"""Which menu rows a `%boot-menu --select TEXT` walks to."""

from __future__ import annotations

import pyte

from serial_console_kernel.engine.bootmenu import _menu_rows
from serial_console_kernel.engine.screen import ConsoleScreen


def screen_of(rows: list[str]) -> ConsoleScreen:
    screen = ConsoleScreen(60, len(rows) + 1)
    pyte.Stream(screen).feed("\r\n".join(rows))
    return screen


def test_an_entry_that_reads_exactly_the_text_wins_over_longer_ones():
    screen = screen_of(["    Safe Mode", "    Safe Mode with Networking",
                        "    Safe Mode with Command Prompt", "    Start Windows Normally"])
    assert _menu_rows(screen, "Safe Mode") == [0]
    assert _menu_rows(screen, "safe mode with") == [1, 2]  # no exact entry: every one that contains it


def test_grub_frames_do_not_hide_an_exact_entry():
    screen = screen_of(["|*Debian GNU/Linux                      |",
                        "| Advanced options for Debian GNU/Linux  |"])
    assert _menu_rows(screen, "Debian GNU/Linux") == [0]

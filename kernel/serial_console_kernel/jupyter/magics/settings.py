"""Settings magics: each shows its value without an argument and sets it with one."""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...errors import ConsoleError
from .declare import SECONDS, Magic, arg, number

if TYPE_CHECKING:
    from ..cell import Cell


def _show_or_set(cell: Cell, name: str, value: float | None, unit: str = "") -> bool:
    if value is None:
        cell.print(f"{name} {getattr(cell.target.settings, name):g}{unit}")
    elif value < 0:
        raise ConsoleError(f"%{name.split('_')[0]} must not be negative")
    else:
        setattr(cell.target.settings, name, value)
    return False


async def timeout(cell: Cell, args: Namespace) -> bool:
    if args.seconds is not None and args.seconds <= 0:
        raise ConsoleError("%timeout must be more than 0 seconds: every wait is bounded")
    return _show_or_set(cell, "timeout", args.seconds, " s")


async def quiet(cell: Cell, args: Namespace) -> bool:
    return _show_or_set(cell, "quiet_ms", args.ms, " ms")


async def txdelay(cell: Cell, args: Namespace) -> bool:
    return _show_or_set(cell, "txdelay_ms", args.ms, " ms")


async def paste_limit(cell: Cell, args: Namespace) -> bool:
    if args.characters is None:
        limit = cell.target.settings.paste_limit
        cell.print(f"paste-limit {limit} characters" if limit else "paste-limit off")
    else:
        cell.target.settings.paste_limit = args.characters
    return False


async def reconnect(cell: Cell, args: Namespace) -> bool:
    return _show_or_apply(cell, args.state, f"reconnect {'on' if cell.target.settings.reconnect else 'off'}",
                          lambda state: cell.target.set_reconnect(state == "on"))


async def idle_logout(cell: Cell, args: Namespace) -> bool:
    minutes = cell.target.settings.idle_logout_min
    return _show_or_apply(cell, args.minutes,
                          f"idle-logout {f'{minutes:g} min' if minutes else 'off'}",
                          cell.target.set_idle_logout)


async def enter(cell: Cell, args: Namespace) -> bool:
    if args.ending is None:
        cell.print(f"enter {cell.target.settings.enter}")
    else:
        cell.target.settings.enter = args.ending
    return False


async def prompt(cell: Cell, text: str) -> bool:
    if text:
        cell.target.set_prompt(text)
    else:
        cell.print(f"prompt {cell.target.settings.prompt}")
    return False


def _show_or_apply(cell: Cell, value: object, shown: str, apply: Callable[[Any], None]) -> bool:
    """No argument shows the setting; an argument goes to the Target's setter."""
    if value is None:
        cell.print(shown)
    else:
        apply(value)
    return False


async def size(cell: Cell, args: Namespace) -> bool:
    settings = cell.target.settings
    return _show_or_apply(cell, args.size, f"size {settings.columns}x{settings.lines}",
                          cell.target.set_size)


async def scrollback(cell: Cell, args: Namespace) -> bool:
    return _show_or_apply(cell, args.lines, f"scrollback {cell.target.settings.scrollback} lines",
                          cell.target.set_scrollback)


async def log(cell: Cell, args: Namespace) -> bool:
    return _show_or_apply(cell, args.path, f"log {cell.target.transcript_path or 'off'}",
                          cell.target.set_log)


MAGICS = [
    Magic("prompt", "%prompt [REGEX|default]",
          "Show or set the prompt that ends a typed line. It is anchored like the built-in "
          "shapes: it must match from the start of the logical line that holds the cursor to "
          "the cursor (write .*REGEX to match anywhere). The default knows user@host:path# , "
          "[user@host path]$ , bash-5.2# , / # , SAC>, C:\\...>, PS C:\\...>, grub>, login:, "
          "Password:, (Y/N)? and more; the prompt that ended the last line is expected first.",
          raw=True, run=prompt),
    Magic("timeout", "%timeout [S]", "Show or set the longest wait for one line, in seconds (30).",
          (arg("seconds", nargs="?", type=SECONDS),), run=timeout),
    Magic("quiet", "%quiet [MS]",
          "Show or set how long the console must stay silent to end a line with no prompt (400).",
          (arg("ms", nargs="?", type=number(0, 600_000, " ms")),), run=quiet),
    Magic("enter", "%enter [cr|lf|crlf]", "Show or set what Enter sends (cr).",
          (arg("ending", nargs="?", choices=["cr", "lf", "crlf"]),), run=enter),
    Magic("txdelay", "%txdelay [MS]", "Show or set a delay between typed characters, for UARTs "
          "that drop characters (0).", (arg("ms", nargs="?", type=number(0, 10_000, " ms")),),
          run=txdelay),
    Magic("paste-limit", "%paste-limit [N|0]",
          "Show or set the most characters typed in one go (2048, Azure's paste limit): longer "
          "text goes in pieces, each once the console echoed the one before; with %txdelay, one "
          "character at a time instead. 0 sends everything at once.",
          (arg("characters", nargs="?", type=number(0, 1_000_000, " characters", int)),),
          run=paste_limit),
    Magic("reconnect", "%reconnect [on|off]",
          "Show or set whether a dropped connection is opened again by itself (on): up to 6 "
          "attempts over about 30 s; the next cell says how long the gap was. A cell waiting "
          "when it drops fails at once. Never over another client that took the console over.",
          (arg("state", nargs="?", choices=["on", "off"]),), run=reconnect),
    Magic("idle-logout", "%idle-logout [MINUTES|0]",
          "Show or set how long the kernel may go without a cell before it signs the console "
          "out (as %connect --logout says) and stays connected; 0 never (the default).",
          (arg("minutes", nargs="?", type=number(0, 10_080, " minutes")),), run=idle_logout),
    Magic("size", "%size [CxR]", "Show or set the screen size, e.g. %size 100x40 (80x25).",
          (arg("size", nargs="?"),), run=size),
    Magic("scrollback", "%scrollback [LINES]", "Show or set how many scrolled-off lines a cell "
          "shows at most (2000); %log keeps everything.",
          (arg("lines", nargs="?", type=number(0, 1_000_000, " lines", int)),), run=scrollback),
    Magic("log", "%log [PATH|off]", "Append everything the console sends to PATH (secrets masked).",
          (arg("path", nargs="?"),), run=log),
]

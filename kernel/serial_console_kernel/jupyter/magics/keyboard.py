"""Typing and waiting: %screen, %send, %key, %wait, %expect, %password (a plain line of a cell
is typed by the cell itself)."""

from __future__ import annotations

import asyncio
from argparse import Namespace
from typing import TYPE_CHECKING

from ...engine.keys import decode_escapes
from ...errors import ConsoleError
from .declare import TIMEOUT, Magic, arg, number, parse_pattern

if TYPE_CHECKING:
    from ..cell import Cell

PASSWORD_PROMPT_TIMEOUT = 300.0


async def screen(cell: Cell, args: Namespace) -> bool:
    await cell.target.quiet()
    cell.full_screen = True
    return True


async def send(cell: Cell, text: str) -> bool:
    if not text:
        raise ConsoleError("%send needs TEXT, e.g. %send \\x03 for Ctrl-C")
    await cell.target.send(decode_escapes(text))
    return True


async def key(cell: Cell, args: Namespace) -> bool:
    if args.until is None:
        await cell.target.press(args.keys)
    else:
        until = " ".join(args.until)
        await cell.target.press_until(args.keys, parse_pattern(until), limit=args.max,
                                      written=until)
    return True


async def wait(cell: Cell, args: Namespace) -> bool:
    pattern = parse_pattern(" ".join(args.pattern))
    await cell.target.wait(pattern, timeout=args.timeout, new=args.new)
    return True


async def expect(cell: Cell, args: Namespace) -> bool:
    text = " ".join(args.pattern)
    cell.target.expect(parse_pattern(text), written=text)
    return False


async def password(cell: Cell, args: Namespace) -> bool:
    target = cell.target
    secret = target.password_from(args.envvar)
    if not secret:
        if cell.ask_secret is None:
            where = f"set the environment variable {args.envvar}" if args.envvar else \
                "use %password ENVVAR"
            raise ConsoleError(f"no password to type: {where} (this front end cannot ask)")
        # A person types it: bounded, but longer than a console wait.
        limit = max(target.settings.timeout, PASSWORD_PROMPT_TIMEOUT)
        try:
            secret = await asyncio.wait_for(asyncio.to_thread(cell.ask_secret, "Password: "), limit)
        except asyncio.TimeoutError:
            raise ConsoleError(f"no password entered within {limit:g} s") from None
    await target.type_password(secret)
    return True


MAGICS = [
    Magic("screen", "%screen", "Show the screen without typing anything.", run=screen, touches=True),
    Magic("send", "%send TEXT", "Type TEXT without Enter; \\r \\n \\t \\e \\xNN escapes "
          "(%send \\x03 sends Ctrl-C to the console).", raw=True, run=send, touches=True),
    Magic("key", "%key NAME... [--until TEXT|/REGEX/] [--max N]",
          "Press keys: F1-F12, Up, Down, Left, Right, Home, End, PgUp, PgDn, Insert, Delete, "
          "Enter, Esc, Tab, Backspace, Space, Ctrl-A..Ctrl-Z; e.g. %key Esc Tab 0. With --until, "
          "press them until the selected row (a highlighted menu entry, else the row the cursor "
          "is on) shows TEXT or matches /REGEX/, e.g. %key Down --until /^\\s*linux/ in GRUB's "
          "editor; an error after --max presses (50).",
          (arg("keys", nargs="+"),
           arg("--until", nargs="+", default=None, help="stop when the selected row shows this"),
           arg("--max", type=number(1, 500, " presses", int), default=50,
               help="give up after this many presses")),
          run=key, touches=True),
    Magic("wait", "%wait TEXT|/REGEX/ [--timeout S] [--new]",
          "Wait until the console shows TEXT (or matches /REGEX/) in what it sent since the "
          "notebook last typed, pressed or did something (the connect, a power action), even if "
          "an earlier cell showed it already; an error on timeout. With --new, only output no "
          "cell has shown yet counts.",
          (arg("pattern", nargs="+"), TIMEOUT,
           arg("--new", action="store_true", help="only output not shown by any cell yet")),
          run=wait, touches=True),
    Magic("expect", "%expect TEXT|/REGEX/",
          "Check that this cell's output or the screen shows TEXT (or matches /REGEX/); an error "
          "if not. The echo of the lines the cell typed does not count: the check is on what "
          "the machine answered. Use it for runbook checks.", (arg("pattern", nargs="+"),),
          run=expect),
    Magic("password", "%password [ENVVAR]",
          "Type a secret and Enter: from the environment variable ENVVAR, else asked for. Never "
          "shown, never written to a transcript.", (arg("envvar", nargs="?"),), run=password,
          touches=True),
]

"""Notes and help: %env, %echo, %help, %lsmagic."""

from __future__ import annotations

from argparse import Namespace
from typing import TYPE_CHECKING

from ...errors import ConsoleError
from .declare import Magic, arg

if TYPE_CHECKING:
    from ..cell import Cell


async def env(cell: Cell, text: str) -> bool:
    name, sep, value = text.partition("=")
    name, environ = name.strip(), cell.target.environ
    if not name:
        cell.print("\n".join(f"{k}={v}" for k, v in sorted(environ.items())
                             if k.startswith("SERIAL_CONSOLE_")))
    elif not sep:
        cell.print(f"{name}={environ.get(name, '')}")
    elif not name.replace("_", "").isalnum():
        raise ConsoleError(f"bad variable name {name!r}")
    else:
        environ[name] = value.strip()
    return False


async def echo(cell: Cell, text: str) -> bool:
    cell.print(text)
    return False


async def help_magic(cell: Cell, args: Namespace) -> bool:
    from . import help_text  # the table is built from this module too

    cell.print(help_text(args.name))
    return False


async def lsmagic(cell: Cell, args: Namespace) -> bool:
    from . import MAGICS

    cell.print("  ".join("%" + name for name in MAGICS))
    return False


MAGICS = [
    Magic("env", "%env [NAME=VALUE]", "Show or set an environment variable of the kernel (runbook "
          "parameters, e.g. %env SERIAL_CONSOLE_TARGET=socket://127.0.0.1:4555).", raw=True,
          run=env),
    Magic("echo", "%echo TEXT", "Print TEXT in the cell's output (a note in a runbook).", raw=True,
          run=echo),
    Magic("help", "%help [NAME]", "Help on all magics or on one.", (arg("name", nargs="?"),),
          run=help_magic),
    Magic("lsmagic", "%lsmagic", "List the magics.", run=lsmagic),
]

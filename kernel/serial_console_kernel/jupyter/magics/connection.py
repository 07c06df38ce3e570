"""Connection magics: %connect, %disconnect, %status."""

from __future__ import annotations

from argparse import Namespace
from typing import TYPE_CHECKING

from .declare import Magic, arg, number

if TYPE_CHECKING:
    from ..cell import Cell


async def connect(cell: Cell, args: Namespace) -> bool:
    await cell.target.connect(" ".join(args.target), baud=args.baud, keys=args.keys,
                              size=args.size, prompt=args.prompt, power=args.power,
                              logout=args.logout, take_over=args.take_over)
    return True


async def disconnect(cell: Cell, args: Namespace) -> bool:
    target = await cell.target.disconnect()
    cell.print(f"disconnected from {target}" if target else "not connected")
    return False


async def status(cell: Cell, args: Namespace) -> bool:
    cell.print(cell.target.status())
    return False


MAGICS = [
    Magic("connect", "%connect [TARGET] [--baud N] [--keys xterm|ems] [--size CxR] [--prompt REGEX] "
          "[--logout auto|off|LINE] [--take-over]",
          "Connect to a console: a device (/dev/ttyUSB0), socket://HOST:PORT, rfc2217://HOST:PORT, "
          "ipmi://USER@HOST[:PORT] (a BMC's Serial-over-LAN; the password in IPMI_PASSWORD), "
          "libvirt:///system/DOMAIN (a libvirt domain's console), azure://SUBSCRIPTION/"
          "RESOURCE_GROUP/VM (Azure Serial Console), loop://, exec:COMMAND "
          "(any console program) or sim:windows. "
          "Without TARGET, reconnect to the last one. --logout: how the console is left when "
          "the kernel disconnects, shuts down or restarts: auto signs out where a password was "
          "typed here (SAC: exit and lock; a shell: exit until login:), off leaves it, or a "
          "line to type. --take-over takes a console another client holds or took over (that "
          "client is disconnected).",
          (arg("target", nargs="*"), arg("--baud", type=number(1, 10_000_000, kind=int), default=None),
           arg("--keys", choices=["xterm", "ems"], default=None),
           arg("--size", default=None, metavar="CxR"), arg("--prompt", default=None),
           arg("--power", default=None), arg("--logout", default=None, metavar="auto|off|LINE"),
           arg("--take-over", action="store_true")), quoted_words=True, run=connect, touches=True),
    Magic("disconnect", "%disconnect", "Sign out (see %connect --logout) and close the console "
          "connection.", run=disconnect),
    Magic("status", "%status", "Show the target, the connection and the settings.", run=status),
]

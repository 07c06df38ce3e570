"""Power and boot magics: NMI, reset, restart, power, SysRq, BREAK, the backend, %boot-menu.

Destructive actions run without asking (a runbook is deliberate) and leave one audit line in
the cell's output and, with the time, in the transcript (see `Target.power_action`)."""

from __future__ import annotations

from argparse import Namespace
from typing import TYPE_CHECKING

from ...errors import ConsoleError
from ...power.base import Action
from .declare import SECONDS, Magic, arg

if TYPE_CHECKING:
    from ..cell import Cell

POWER_STATES = {"on": Action.POWER_ON, "off": Action.POWER_OFF, "cycle": Action.POWER_CYCLE,
                "status": Action.STATUS}


async def nmi(cell: Cell, args: Namespace) -> bool:
    await cell.target.act(Action.NMI)
    return True


async def reset(cell: Cell, args: Namespace) -> bool:
    await cell.target.act(Action.RESET)
    return True


async def restart(cell: Cell, args: Namespace) -> bool:
    await cell.target.act(Action.RESTART)
    return True


async def power(cell: Cell, args: Namespace) -> bool:
    action = POWER_STATES[args.state]
    if action is Action.STATUS:
        await cell.target.power_action(action)
        return False
    await cell.target.act(action)
    return True


async def sysrq(cell: Cell, args: Namespace) -> bool:
    if len(args.key) != 1:
        raise ConsoleError("%sysrq takes one key, e.g. %sysrq h (help), s (sync), b (reboot)")
    await cell.target.act(Action.SYSRQ, args.key)
    return True


async def send_break(cell: Cell, args: Namespace) -> bool:
    await cell.target.act(Action.BREAK)
    return True


async def power_backend(cell: Cell, spec: str) -> bool:
    spec = spec.strip().strip("'\"")
    if not spec:
        backend = cell.target.power
        cell.print(f"power backend {backend.name if backend else 'none'}")
    else:
        await cell.target.set_power_backend(None if spec == "none" else spec)
    return False


async def boot_menu(cell: Cell, args: Namespace) -> bool:
    select = " ".join(args.select) if args.select else None
    cell.print(await cell.target.boot_menu(select=select, keys=args.keys, timeout=args.timeout))
    return True


MAGICS = [
    Magic("nmi", "%nmi", "Send an NMI (crashes Windows into a dump; Linux prints 'NMI received').",
          run=nmi, touches=True),
    Magic("reset", "%reset", "Hard reset the machine, like its reset button.", run=reset,
          touches=True),
    Magic("restart", "%restart", "Restart the machine gracefully (Ctrl-Alt-Del, ACPI, the platform's "
          "restart).", run=restart, touches=True),
    Magic("power", "%power on|off|cycle|status", "Switch the machine's power or show its state.",
          (arg("state", choices=list(POWER_STATES)),), run=power, touches=True),
    Magic("sysrq", "%sysrq KEY", "Linux Magic SysRq: KEY after a BREAK (h help, s sync, u remount, "
          "b reboot, c crash).", (arg("key"),), run=sysrq, touches=True),
    Magic("break", "%break", "Send a serial BREAK.", run=send_break, touches=True),
    Magic("power-backend", "%power-backend [SPEC|none]",
          "Show or set how power actions travel: qmp:PATH, qmp:tcp:HOST:PORT, sim, sim:HOST:PORT, "
          "cmd:nmi=COMMAND;reset=COMMAND;…", raw=True, run=power_backend),
    Magic("boot-menu", "%boot-menu [--select TEXT] [--keys KEY] [--timeout S]",
          "Restart and catch the boot menu: with the ems key profile F8 is pressed until the menu "
          "shows (--keys Esc for a hidden GRUB menu); the countdown is stopped; with --select, the "
          "entry containing TEXT is highlighted and chosen.",
          (arg("--select", nargs="+", default=None), arg("--keys", default=None),
           arg("--timeout", type=SECONDS, default=None)), run=boot_menu, touches=True),
]

"""Simulator: SAC's commands, as a table of usage, help and handler (SAC's `?` is generated
from it and equals the documented help line for line: tests/simulator/test_windows_sac.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from . import sac_text

if TYPE_CHECKING:
    from .machine import WindowsMachine

Command = Callable[["WindowsMachine", list[str]], None]
TASKS = [(4, "System"), (88, "Registry"), (412, "smss.exe"), (584, "csrss.exe"),
         (660, "wininit.exe"), (688, "services.exe"), (908, "svchost.exe"), (1044, "svchost.exe"),
         (1320, "sacsess.exe"), (2110, "MsMpEng.exe")]


def help_list(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(SAC_HELP)

def new_cmd(machine: WindowsMachine, args: list[str]) -> None:
    machine.new_cmd_channel()

def identification(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(sac_text.identification())

def ip(machine: WindowsMachine, args: list[str]) -> None:
    if not args:
        machine.sac_print(sac_text.ip_addresses(machine.state.nic_enabled))
        return
    if len(args) != 4:
        machine.sac_print([sac_text.BAD_PARAMETER])
        return
    machine.sac_print(["SAC successfully set the IP Address, subnet mask, and gateway."])

def show_time(machine: WindowsMachine, args: list[str]) -> None:
    if args:
        machine.sac_print([sac_text.UNRECOGNIZED])
        return
    machine.sac_print(["Date: 11/22/2026  Time (GMT): 08:00:00:0000"])

def tlist(machine: WindowsMachine, args: list[str]) -> None:
    rows = [f"{pid:>5} {image}" for pid, image in TASKS]
    machine.sac_print(["memory: 4193848 kb  uptime:  0  0:05:00.000", "", *rows])

def kernel_log(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(["Kernel log is empty."])

def kill(machine: WindowsMachine, args: list[str]) -> None:
    if len(args) != 1:
        machine.sac_print([sac_text.UNRECOGNIZED])
        return
    killed = any(str(pid) == args[0] for pid, _ in TASKS)
    machine.sac_print(["SAC successfully terminated the process." if killed
                    else "SAC failed to terminate the process."])

def thread_info(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(["Thread information is now ON."])

def paging(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(["Paging is now ON."])

def lock(machine: WindowsMachine, args: list[str]) -> None:
    for channel in machine.channels.values():
        channel.login_step, channel.shell = "username", None
    machine.sac_print([sac_text.LOCKED])

def restart(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(sac_text.RESTARTING, prompt=False)
    machine.restart_soon()

def shutdown(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(sac_text.SHUTTING_DOWN, prompt=False)
    machine.later(1.0, lambda: machine.control("power_off"))

def crashdump(machine: WindowsMachine, args: list[str]) -> None:
    machine.bugcheck("0xE2", "MANUALLY_INITIATED_CRASH")

def bang_help(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(BANG_SAC_HELP)

def bang_kernel_log(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(["Stop error 0x80 NMI_HARDWARE_FAILURE; a memory dump was written "
                    "to %SystemRoot%\\MEMORY.DMP."])

def channels(machine: WindowsMachine, args: list[str]) -> None:
    if not args:
        rows = ["0 (AV)    SAC"] + [f"{n} (AV)    {c.name}" for n, c in sorted(machine.channels.items())]
        machine.sac_print(["Channel List", "", '(Use "ch -?" for information on using channels)',
                        "", "# Status  Channel Name", *rows])
        return
    flag = args[0].lower()
    if flag == "-?":
        machine.sac_print(sac_text.CHANNEL_HELP)
        return
    if flag in ("-si", "-ci") and len(args) == 2:
        number = int(args[1]) if args[1].isdigit() else -1
    elif flag in ("-sn", "-cn") and len(args) == 2:
        number = 0 if args[1].lower() == "sac" else next(
            (n for n, c in machine.channels.items() if c.name.lower() == args[1].lower()), -1)
    else:
        machine.sac_print([sac_text.BAD_PARAMETER])
        return
    if number != 0 and number not in machine.channels:
        machine.sac_print([sac_text.NO_CHANNEL_INDEX if flag.endswith("i")
                        else sac_text.NO_CHANNEL_NAME])
        return
    if flag.startswith("-c"):
        if number == 0:
            machine.sac_print([sac_text.SAC_NOT_CLOSABLE])
            return
        machine.close_channel(number)
        return
    machine.show_info(number)


class SacCommand(NamedTuple):
    usage: str  # as SAC's help prints it
    help: str
    run: Command | None  # None: a second usage line only
    names: tuple[str, ...] = ()  # what is typed; the usage's first word when empty


# SAC's help, in its order (see ../shared/reference/sac-ems.md); l, m and r are not simulated.
SAC_TABLE = [
    SacCommand("ch", "Channel management commands.  Use ch -? for more help.", channels),
    SacCommand("cmd", "Create a Command Prompt channel.", new_cmd),
    SacCommand("d", "Dump the current kernel log.", kernel_log),
    SacCommand("f", "Toggle detailed or abbreviated tlist info.", thread_info),
    SacCommand("? or help", "Display this list.", help_list, ("?", "help")),
    SacCommand("i", "List all IP network numbers and their IP addresses.", ip),
    SacCommand("i <#> <ip> <subnet> <gateway>", "Set IPv4 addr., subnet and gateway.", None),
    SacCommand("id", "Display the computer identification information.",
               identification),
    SacCommand("k <pid>", "Kill the given process.", kill),
    SacCommand("l <pid>", "Lower the priority of a process to the lowest possible.", None),
    SacCommand("lock", "Lock access to Command Prompt channels.", lock),
    SacCommand("m <pid> <MB-allow>", "Limit the memory usage of a process to <MB-allow>.", None),
    SacCommand("p", "Toggle paging the display.", paging),
    SacCommand("r <pid>", "Raise the priority of a process by one.", None),
    SacCommand("s", "Display the current time and date (24 hour clock used).", show_time),
    SacCommand("s mm/dd/yyyy hh:mm", "Set the current time and date (24 hour clock used).", None),
    SacCommand("t", "Tlist.", tlist),
    SacCommand("restart", "Restart the system immediately.", restart),
    SacCommand("shutdown", "Shutdown the system immediately.", shutdown),
    SacCommand("crashdump", "Crash the system. You must have crash dump enabled.",
               crashdump),
]
# What !SAC> (SAC after a Stop error) still takes.
BANG_SAC_TABLE = [
    SacCommand("d", "Display all log entries, paging is on.", bang_kernel_log),
    SacCommand("help", "Display this list.", bang_help),
    SacCommand("id", "Display the computer identification information.",
               identification),
    SacCommand("restart", "Restart the system immediately.", restart),
    SacCommand("?", "Display this list.", bang_help),
]


def _commands(table: list[SacCommand]) -> dict[str, Command]:
    return {name: command.run for command in table if command.run is not None
            for name in command.names or (command.usage.split()[0],)}


def _help_lines(table: list[SacCommand], width: int) -> list[str]:
    return [f"{command.usage:<{width}} {command.help}" for command in table]


SAC_COMMANDS = _commands(SAC_TABLE)
BANG_SAC_COMMANDS = _commands(BANG_SAC_TABLE)
SAC_HELP = _help_lines(SAC_TABLE, 20)
BANG_SAC_HELP = _help_lines(BANG_SAC_TABLE, 8)

"""Simulator: SAC's commands, as a table of usage, help and handler (SAC's `?` is generated
from it and equals the documented help line for line: tests/simulator/test_windows_sac.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from . import sac_text

if TYPE_CHECKING:
    from .machine import WindowsMachine

Command = Callable[["WindowsMachine", list[str]], None]
# pid, image, working set (K), page faults, commit (K), priority, handles, threads
TASKS = [(0, "", 8, 1, 0, 0, 0, 2), (4, "System", 136, 2311, 188, 8, 2164, 121),
         (88, "Registry", 48204, 13840, 4912, 8, 0, 4), (412, "smss.exe", 1188, 412, 1080, 11, 53, 2),
         (584, "csrss.exe", 5036, 1490, 1812, 13, 412, 11),
         (660, "wininit.exe", 6900, 1601, 1392, 13, 164, 1),
         (688, "services.exe", 9480, 3318, 5216, 9, 622, 6),
         (908, "svchost.exe", 21472, 6043, 11788, 8, 1188, 18),
         (1044, "svchost.exe", 12364, 3511, 4944, 8, 540, 14),
         (1320, "sacsess.exe", 4212, 1003, 1508, 8, 91, 2),
         (2110, "MsMpEng.exe", 118640, 52277, 181924, 8, 702, 31)]
PIDS = {task[0] for task in TASKS}
_SET_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})")


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
    """`s` shows the clock; `s mm/dd/yyyy hh:mm` sets it (msg 87's layout, the years SAC takes)."""
    if not args:
        machine.sac_print([f"Date: {machine.clock[0]}  Time (GMT): {machine.clock[1]}:00:0000"])
        return
    match = _SET_TIME.fullmatch(" ".join(args))
    if match is None:
        machine.sac_print([sac_text.BAD_PARAMETER])
        return
    month, day, year, hour, minute = (int(part) for part in match.groups())
    if not 1980 <= year <= 2099:
        machine.sac_print(["The year is restricted from 1980 to 2099."])
        return
    if month > 12 or day > 31 or hour > 23 or minute > 59:
        machine.sac_print([sac_text.BAD_PARAMETER])
        return
    machine.clock = (f"{month:02d}/{day:02d}/{year}", f"{hour:02d}:{minute:02d}")
    machine.sac_print([f"Date: {machine.clock[0]}  Time (GMT): {machine.clock[1]}"])


def tlist(machine: WindowsMachine, args: list[str]) -> None:
    """ReactOS's message table gives the templates (msgs 69-79); the figures are a 4 GB VM's."""
    lines = ["memory: 4193848 kb  uptime:  0  0:05:00.000", "", "",
             "PageFile: \\??\\D:\\pagefile.sys",
             "        Current Size: 1048576 kb  Total Used:  12288 kb   Peak Used  14336 kb", "",
             " Memory:4193848K Avail:2795540K  TotalWs: 923412K InRam Kernel:11036K P:184312K",
             " Commit:1184420K/1024388K Limit:5242424K Peak:1239908K  Pool N:94376K P:184312K",
             "    User Time   Kernel Time    Ws   Faults  Commit Pri Hnd Thd  Pid Name",
             "                           253492   120418                          File Cache"]
    for pid, image, ws, faults, commit, priority, handles, threads in TASKS:
        lines.append(f"  0:00:00.{pid % 997:03d}   0:00:01.{pid % 991:03d}{ws:6d} {faults:8d} "
                     f"{commit:7d} {priority:2d} {handles:4d} {threads:3d} {pid:4d} {image}")
        if machine.thread_info:
            lines.append(f"pid:{pid:3x} pri:{priority:2d} Hnd:{handles:5d} Pf:{faults:7d} "
                         f"Ws:{ws:7d}K {image}")
    machine.sac_print(lines)


def kernel_log(machine: WindowsMachine, args: list[str]) -> None:
    machine.sac_print(["Kernel log is empty."])

def kill(machine: WindowsMachine, args: list[str]) -> None:
    if len(args) != 1:
        machine.sac_print([sac_text.UNRECOGNIZED])
        return
    killed = args[0].isdigit() and int(args[0]) in PIDS - {0, 4}
    machine.sac_print(["SAC successfully terminated the process." if killed
                    else "SAC failed to terminate the process."])

def thread_info(machine: WindowsMachine, args: list[str]) -> None:
    machine.thread_info = not machine.thread_info
    machine.sac_print([f"Thread information is now {'ON' if machine.thread_info else 'OFF'}."])


def paging(machine: WindowsMachine, args: list[str]) -> None:
    machine.paging = not machine.paging
    machine.sac_print([f"Paging is now {'ON' if machine.paging else 'OFF'}."])


def _process(machine: WindowsMachine, args: list[str], count: int) -> int | None:
    """The pid a priority or memory command names; None (and SAC's answer) when it is wrong."""
    if len(args) != count or not all(arg.isdigit() for arg in args):
        machine.sac_print([sac_text.BAD_PARAMETER])
        return None
    return int(args[0])


def lower_priority(machine: WindowsMachine, args: list[str]) -> None:
    pid = _process(machine, args, 1)
    if pid is None:
        return
    if pid not in PIDS:
        machine.sac_print(["SAC failed to lower the process priority."])
        return
    machine.lowered.add(pid)
    machine.sac_print(["SAC successfully lowered the process priority."])


def raise_priority(machine: WindowsMachine, args: list[str]) -> None:
    pid = _process(machine, args, 1)
    if pid is None:
        return
    if pid not in PIDS:
        machine.sac_print(["SAC failed to raise the process priority."])
    elif pid not in machine.lowered:
        machine.sac_print(["SAC cannot raise the priority of a process that was not previously lowered."])
    else:
        machine.lowered.discard(pid)
        machine.sac_print(["SAC successfully raised the process priority."])


def limit_memory(machine: WindowsMachine, args: list[str]) -> None:
    pid = _process(machine, args, 2)
    if pid is None:
        return
    machine.sac_print(["SAC successfully limited the available process memory." if pid in PIDS
                       else "SAC failed to limit the available process memory."])


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


# SAC's help, in its order (see ../shared/reference/sac-ems.md).
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
    SacCommand("l <pid>", "Lower the priority of a process to the lowest possible.",
               lower_priority),
    SacCommand("lock", "Lock access to Command Prompt channels.", lock),
    SacCommand("m <pid> <MB-allow>", "Limit the memory usage of a process to <MB-allow>.",
               limit_memory),
    SacCommand("p", "Toggle paging the display.", paging),
    SacCommand("r <pid>", "Raise the priority of a process by one.", raise_priority),
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

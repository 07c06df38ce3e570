"""A small cmd.exe for the CMD channel: the commands recovery runbooks use, in Windows' layouts.

`run(line)` returns the lines to print; a command can leave a question open (chkdsk's Y/N), and
asks the machine to restart through `on_restart`.  Each layout follows a capture or Microsoft's
documentation, quoted in tests/fidelity/windows/.
"""

from __future__ import annotations

from collections.abc import Callable

from . import files, info, powershell, services
from .files import shown_dir
from .netsh import netsh as run_netsh
from .state import ADMIN_USER, COMPUTER_NAME, CRASH_KEY, IP, MAC, OS_BUILD, RDP_TCP_KEY, TS_KEY, WindowsState
from .words import split

PROMPT = "C:\\Windows\\system32>"
# cmd prints a blank line between its banner and the first prompt, as after every command.
BANNER = [f"Microsoft Windows [Version {'10.0.' + OS_BUILD}.5830]",
          "(c) 2018 Microsoft Corporation. All rights reserved.", "", ""]
_HIVES = {"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER"}
COMPLETED = ["The operation completed successfully.", ""]
Command = Callable[["CmdShell", list[str]], list[str]]


class CmdShell:
    def __init__(self, state: WindowsState, on_restart: Callable[[], None]) -> None:
        self.state = state
        self.on_restart = on_restart
        self.powershell = False
        self.question: Callable[[str], list[str]] | None = None
        self.cwd = PROMPT[:-1]

    @property
    def prompt(self) -> str:
        if self.powershell:
            return f"PS {shown_dir(self.cwd)}> "
        return f"{shown_dir(self.cwd)}>"

    def run(self, line: str) -> list[str]:
        if self.question is not None:
            answer, self.question = self.question, None
            return answer(line)
        if self.powershell:
            if line.strip().lower() == "exit":
                self.powershell = False
                return [""]
            return powershell.run(self.state, line)
        command, *filters = [part.strip() for part in info.expand(line, self.state.environment).split("|")]
        lines = self._command(command)
        for pipe in filters:
            lines = _filter(lines, split(pipe))
        return lines

    def _command(self, command: str) -> list[str]:
        words = split(command)
        if not words:
            return []
        name, args = words[0].lower(), words[1:]
        handler = COMMANDS.get(name.removesuffix(".exe"))
        if handler is None:
            return [f"'{words[0]}' is not recognized as an internal or external command,",
                    "operable program or batch file.", ""]
        return handler(self, args)


# -- network and firewall ----------------------------------------------------------------------------
def netsh(shell: CmdShell, args: list[str]) -> list[str]:
    return run_netsh(shell.state, args)


def ipconfig(shell: CmdShell, args: list[str]) -> list[str]:
    lines = ["", "Windows IP Configuration", ""]
    if args and args[0].lower() == "/all":
        lines += [f"   Host Name . . . . . . . . . . . . : {COMPUTER_NAME}",
                  "   Primary Dns Suffix  . . . . . . . : ",
                  "   Node Type . . . . . . . . . . . . : Hybrid",
                  "   IP Routing Enabled. . . . . . . . : No", ""]
    if not shell.state.nic_enabled:
        return lines
    lines += ["Ethernet adapter Ethernet:", "",
              "   Connection-specific DNS Suffix  . : reddog.microsoft.com"]
    if args and args[0].lower() == "/all":
        lines += ["   Description . . . . . . . . . . . : Microsoft Hyper-V Network Adapter",
                  f"   Physical Address. . . . . . . . . : {MAC}",
                  "   DHCP Enabled. . . . . . . . . . . : Yes"]
    lines += [f"   IPv4 Address. . . . . . . . . . . : {IP[0]}",
              f"   Subnet Mask . . . . . . . . . . . : {IP[1]}",
              f"   Default Gateway . . . . . . . . . : {IP[2]}", ""]
    return lines


_SOCKETS = [(135, "epmap", 908, ["  RpcSs", " [svchost.exe]"]),
            (5985, "wsman", 4, [" Can not obtain ownership information"])]


def netstat(shell: CmdShell, args: list[str]) -> list[str]:
    """-a all, -n numeric, -o the PID column, -b the owner (service and image) under each row."""
    flags = {letter for arg in args if arg.startswith(("-", "/")) for letter in arg[1:].lower()}
    sockets = list(_SOCKETS)
    if shell.state.rdp_listening():
        sockets.insert(1, (shell.state.rdp_port, "ms-wbt-server", 1044,
                           ["  TermService", " [svchost.exe]"]))
    pid_column = bool(flags & {"o", "b"})
    header = "  Proto  Local Address          Foreign Address        State"
    lines = ["", "Active Connections", "", header + ("           PID" if pid_column else "")]
    for port, service_name, pid, owner in sockets if "a" in flags else []:
        local = f"0.0.0.0:{port if 'n' in flags else service_name}"
        foreign = "0.0.0.0:0" if "n" in flags else f"{COMPUTER_NAME}:0"
        row = f"  TCP    {local:<23}{foreign:<23}LISTENING"
        lines.append(f"{row}       {pid}" if pid_column else row)
        if "b" in flags:
            lines += owner
    return [*lines, ""]


# -- registry --------------------------------------------------------------------------------------
def _key(shell: CmdShell, text: str) -> str:
    hive, _, rest = text.partition("\\")
    full = _HIVES.get(hive.upper(), hive.upper()) + ("\\" + rest if rest else "")
    for key in shell.state.registry:
        if key.lower() == full.lower():
            return key
    return full


def reg(shell: CmdShell, args: list[str]) -> list[str]:
    if len(args) < 2 or args[0].lower() not in ("query", "add"):
        return ["ERROR: Invalid syntax.", 'Type "REG /?" for usage.', ""]
    key = _key(shell, args[1])
    flags = {args[i].lower(): args[i + 1] for i in range(2, len(args) - 1) if args[i].startswith("/")}
    if args[0].lower() == "query":
        values = shell.state.registry.get(key)
        if values is None:
            return ["ERROR: The system was unable to find the specified registry key or value.", ""]
        names = [n for n in values if "/v" not in flags or n.lower() == flags["/v"].lower()]
        if not names:
            return ["ERROR: The system was unable to find the specified registry key or value.", ""]
        lines = ["", key]
        for name in names:
            kind, value = values[name]
            shown = hex(value) if kind == "REG_DWORD" and isinstance(value, int) else value
            lines.append(f"    {name}    {kind}    {shown}")
        return [*lines, ""]
    if "/v" not in flags:
        return ["ERROR: Invalid syntax.", 'Type "REG ADD /?" for usage.', ""]
    kind = flags.get("/t", "REG_SZ").upper()
    data = flags.get("/d", "")
    try:
        new_value: object = int(data, 0) if kind == "REG_DWORD" else data
    except ValueError:
        return ["ERROR: Invalid syntax.", 'Type "REG ADD /?" for usage.', ""]
    shell.state.registry.setdefault(key, {})[flags["/v"]] = (kind, new_value)
    return COMPLETED


# -- disks -----------------------------------------------------------------------------------------
def fsutil(shell: CmdShell, args: list[str]) -> list[str]:
    words = [w.lower() for w in args]
    if words[:2] == ["dirty", "query"]:
        # Windows 8 / Server 2012 and later; the `Volume C: is not dirty` in Microsoft's
        # documentation is XP's (tests/fidelity/windows/fsutil-dirty.txt).
        return [f"Volume - C: is {'Dirty' if shell.state.disk_dirty else 'NOT Dirty'}", ""]
    if words[:2] == ["dirty", "set"]:
        shell.state.disk_dirty = True
        return ["Volume - C: is now marked dirty", ""]
    return ["---- Commands Supported ----", "", "dirty         Dirty volume management", ""]


def chkdsk(shell: CmdShell, args: list[str]) -> list[str]:
    if "/f" not in [a.lower() for a in args]:
        return ["The type of the file system is NTFS.", "",
                "WARNING!  /F parameter not specified.",
                "Running CHKDSK in read-only mode.", "",
                "Stage 1: Examining basic file system structure ...",
                "Stage 2: Examining file name linkage ...",
                "Stage 3: Examining security descriptors ...", "",
                "Windows has scanned the file system and found no problems.",
                "No further action is required.", ""]

    def answer(reply: str) -> list[str]:
        if reply.strip().lower().startswith("y"):
            shell.state.chkdsk_scheduled = True
            return ["", "This volume will be checked the next time the system restarts.", ""]
        return [""]

    shell.question = answer
    return ["The type of the file system is NTFS.", "Cannot lock current drive.", "",
            "Chkdsk cannot run because the volume is in use by another",
            "process.  Would you like to schedule this volume to be",
            "checked the next time the system restarts? (Y/N) "]


def chkntfs(shell: CmdShell, args: list[str]) -> list[str]:
    if args and args[0].lower() == "/c":
        shell.state.chkdsk_scheduled = True
        return [""]
    scheduled = shell.state.disk_dirty or shell.state.chkdsk_scheduled
    return ["The type of the file system is NTFS.",
            "C: is dirty.  You may use the /C option to schedule chkdsk for" if scheduled
            else "C: is not dirty.", *(["    this drive." ] if scheduled else []), ""]


# -- boot configuration and power ------------------------------------------------------------------
def bcdedit(shell: CmdShell, args: list[str]) -> list[str]:
    words = [w.lower() for w in args]
    if not words or words[0] == "/enum":
        return _bcd_enum(shell.state)
    if words[0] == "/set" and len(words) >= 3:
        if words[1] == "{current}" and words[2] == "safeboot" and len(words) > 3:
            shell.state.safeboot = args[3].capitalize()
        elif words[1] == "{bootmgr}" and words[2] == "displaybootmenu":
            shell.state.display_boot_menu = len(words) > 3 and words[3] == "yes"
        elif words[1] == "{bootmgr}" and words[2] == "timeout" and len(words) > 3:
            shell.state.boot_timeout = int(words[3])
        return COMPLETED
    if words[0] == "/deletevalue" and len(words) >= 3:
        if words[2] == "safeboot":
            if shell.state.safeboot is None:
                return ["An error has occurred while attempting to delete the specified data "
                        "element.", "Element not found.", ""]
            shell.state.safeboot = None
        elif words[2] == "displaybootmenu":
            shell.state.display_boot_menu = False
        return COMPLETED
    if words[0] in ("/ems", "/emssettings", "/bootems"):
        return COMPLETED
    return ["The parameter is incorrect.", "Run \"bcdedit /?\" for command line assistance.", ""]


def shutdown(shell: CmdShell, args: list[str]) -> list[str]:
    if "/r" in [a.lower() for a in args]:
        shell.on_restart()
        return [""]
    return ["Usage: shutdown [/i | /l | /s | /sg | /r | /g | /a | /p | /h | /e | /o] [/hybrid]", ""]


# -- the rest --------------------------------------------------------------------------------------
def powershell_prompt(shell: CmdShell, args: list[str]) -> list[str]:
    shell.powershell = True
    return ["Windows PowerShell", "Copyright (C) Microsoft Corporation. All rights reserved.", ""]


def hostname(shell: CmdShell, args: list[str]) -> list[str]:
    return [COMPUTER_NAME, ""]


def whoami(shell: CmdShell, args: list[str]) -> list[str]:
    return [f"{COMPUTER_NAME.lower()}\\{ADMIN_USER.lower()}", ""]


def ver(shell: CmdShell, args: list[str]) -> list[str]:
    return ["", BANNER[0], ""]


def cls(shell: CmdShell, args: list[str]) -> list[str]:
    return ["\x1b[2J\x1b[H"]


def _bcd_enum(state: WindowsState) -> list[str]:
    lines = ["", "Windows Boot Manager", "-" * 20,
             "identifier              {bootmgr}",
             "device                  partition=\\Device\\HarddiskVolume1",
             "description             Windows Boot Manager",
             "locale                  en-US",
             "default                 {current}",
             f"displaybootmenu         {'Yes' if state.display_boot_menu else 'No'}",
             f"timeout                 {state.boot_timeout}",
             "bootems                 Yes", "",
             "Windows Boot Loader", "-" * 19,
             "identifier              {current}",
             "device                  partition=C:",
             "path                    \\Windows\\system32\\winload.exe",
             "description             Windows Server",
             "locale                  en-US",
             "recoveryenabled         No",
             "osdevice                partition=C:",
             "systemroot              \\Windows"]
    if state.safeboot:
        lines.append(f"safeboot                {state.safeboot}")
    lines += ["bootstatuspolicy        IgnoreAllFailures", "ems                     Yes", ""]
    return lines


def _filter(lines: list[str], words: list[str]) -> list[str]:
    if not words:
        return lines
    name = words[0].lower()
    if name == "more":
        return lines
    if name in ("find", "findstr"):
        flags = [w.lower() for w in words[1:] if w.startswith("/")]
        needles = [w for w in words[1:] if not w.startswith("/")]
        if not needles:
            return ["FIND: Parameter format not correct", ""]
        needle = needles[0]
        insensitive = "/i" in flags
        keep = [line for line in lines
                if (needle.lower() in line.lower() if insensitive else needle in line)]
        return [*keep, ""] if keep else [""]
    return [f"'{words[0]}' is not recognized as an internal or external command,",
            "operable program or batch file.", ""]


COMMANDS: dict[str, Command] = {
    "netsh": netsh, "ipconfig": ipconfig, "netstat": netstat, "reg": reg, "fsutil": fsutil,
    "chkdsk": chkdsk, "chkntfs": chkntfs, "bcdedit": bcdedit, "shutdown": shutdown,
    "powershell": powershell_prompt, "hostname": hostname, "whoami": whoami, "ver": ver, "cls": cls,
    **files.COMMANDS, **info.COMMANDS, **services.COMMANDS,
}

__all__ = ["BANNER", "COMMANDS", "CRASH_KEY", "PROMPT", "RDP_TCP_KEY", "TS_KEY", "CmdShell"]

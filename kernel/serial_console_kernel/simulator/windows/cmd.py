"""A small cmd.exe for the CMD channel: the commands recovery runbooks use, in Windows' layouts.

`run(line)` returns the lines to print; a command can leave a question open (chkdsk's Y/N), and
asks the machine to restart through `on_restart`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import powershell
from .netsh import netsh
from .state import (
    ADMIN_USER,
    COMPUTER_NAME,
    CRASH_KEY,
    IP,
    MAC,
    OS_BUILD,
    RDP_TCP_KEY,
    TS_KEY,
    WindowsState,
)
from .words import split

if TYPE_CHECKING:
    from .state import Service

PROMPT = "C:\\Windows\\system32>"
BANNER = [f"Microsoft Windows [Version {'10.0.' + OS_BUILD}.5830]",
          "(c) 2018 Microsoft Corporation. All rights reserved.", ""]
_HIVES = {"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER"}
_START_NAMES = {"auto": "AUTO_START", "demand": "DEMAND_START", "disabled": "DISABLED"}
_START_CODES = {"AUTO_START": "2", "DEMAND_START": "3", "DISABLED": "4"}
COMPLETED = ["The operation completed successfully.", ""]
NET_OK = ["The command completed successfully.", ""]


class CmdShell:
    def __init__(self, state: WindowsState, on_restart: Callable[[], None]) -> None:
        self.state = state
        self.on_restart = on_restart
        self.powershell = False
        self.question: Callable[[str], list[str]] | None = None

    @property
    def prompt(self) -> str:
        return f"PS {PROMPT[:-1]}> " if self.powershell else PROMPT

    def run(self, line: str) -> list[str]:
        if self.question is not None:
            answer, self.question = self.question, None
            return answer(line)
        if self.powershell:
            if line.strip().lower() == "exit":
                self.powershell = False
                return [""]
            return powershell.run(self.state, line)
        command, *filters = [part.strip() for part in line.split("|")]
        lines = self._command(command)
        for pipe in filters:
            lines = _filter(lines, split(pipe))
        return lines

    def _command(self, command: str) -> list[str]:
        words = split(command)
        if not words:
            return []
        name, args = words[0].lower(), words[1:]
        handler = getattr(self, "cmd_" + name.replace(".exe", ""), None)
        if handler is None:
            return [f"'{words[0]}' is not recognized as an internal or external command,",
                    "operable program or batch file.", ""]
        return handler(args)

    # -- network and firewall ------------------------------------------------------------------
    def cmd_netsh(self, args: list[str]) -> list[str]:
        return netsh(self.state, args)

    def cmd_ipconfig(self, args: list[str]) -> list[str]:
        lines = ["", "Windows IP Configuration", ""]
        if args and args[0].lower() == "/all":
            lines += [f"   Host Name . . . . . . . . . . . . : {COMPUTER_NAME}",
                      "   Primary Dns Suffix  . . . . . . . : ",
                      "   Node Type . . . . . . . . . . . . : Hybrid",
                      "   IP Routing Enabled. . . . . . . . : No", ""]
        if not self.state.nic_enabled:
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

    def cmd_netstat(self, args: list[str]) -> list[str]:
        lines = ["", "Active Connections", "",
                 "  Proto  Local Address          Foreign Address        State           PID",
                 "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       908"]
        if self.state.rdp_listening():
            port = f"0.0.0.0:{self.state.rdp_port}"
            lines.append(f"  TCP    {port:<23}0.0.0.0:0              LISTENING       1044")
        lines.append("  TCP    0.0.0.0:5985           0.0.0.0:0              LISTENING       4")
        return [*lines, ""]

    # -- registry --------------------------------------------------------------------------------
    def _key(self, text: str) -> str:
        hive, _, rest = text.partition("\\")
        full = _HIVES.get(hive.upper(), hive.upper()) + ("\\" + rest if rest else "")
        for key in self.state.registry:
            if key.lower() == full.lower():
                return key
        return full

    def cmd_reg(self, args: list[str]) -> list[str]:
        if len(args) < 2 or args[0].lower() not in ("query", "add"):
            return ["ERROR: Invalid syntax.", 'Type "REG /?" for usage.', ""]
        key = self._key(args[1])
        flags = {args[i].lower(): args[i + 1] for i in range(2, len(args) - 1) if args[i].startswith("/")}
        if args[0].lower() == "query":
            values = self.state.registry.get(key)
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
        self.state.registry.setdefault(key, {})[flags["/v"]] = (kind, new_value)
        return COMPLETED

    # -- services ----------------------------------------------------------------------------------
    def cmd_sc(self, args: list[str]) -> list[str]:
        if len(args) < 2:
            return ["DESCRIPTION:", "        SC is a command line program used for communicating with the",
                    "        Service Control Manager and services.", ""]
        verb, service = args[0].lower(), self.state.services.get(args[1].lower())
        if service is None:
            return ["[SC] OpenService FAILED 1060:", "",
                    "The specified service does not exist as an installed service.", ""]
        if verb in ("query", "queryex"):
            return _sc_query(service)
        if verb == "qc":
            return ["[SC] QueryServiceConfig SUCCESS", "", f"SERVICE_NAME: {service.name}",
                    f"        TYPE               : {service.kind}",
                    f"        START_TYPE         : {_START_CODES[service.start]}   {service.start}",
                    "        ERROR_CONTROL      : 1   NORMAL",
                    f"        DISPLAY_NAME       : {service.display}", ""]
        if verb == "config":
            words = [w.lower() for w in args[2:]]
            if "start=" in words and words.index("start=") + 1 < len(words):
                start = _START_NAMES.get(words[words.index("start=") + 1])
                if start is None:
                    return ["[SC] ChangeServiceConfig FAILED 87:", "", "The parameter is incorrect.", ""]
                service.start = start
            return ["[SC] ChangeServiceConfig SUCCESS", ""]
        if verb == "start":
            if service.start == "DISABLED":
                return ["[SC] StartService FAILED 1058:", "",
                        "The service cannot be started, either because it is disabled or because "
                        "it has no enabled devices associated with it.", ""]
            if service.state == "RUNNING":
                return ["[SC] StartService FAILED 1056:", "",
                        "An instance of the service is already running.", ""]
            service.state = "RUNNING"
            return _sc_query(service, starting=True)
        if verb == "stop":
            service.state = "STOPPED"
            return _sc_query(service)
        return ["[SC] Unknown command.", ""]

    def cmd_net(self, args: list[str]) -> list[str]:
        verb = args[0].lower() if args else ""
        if verb in ("start", "stop") and len(args) > 1:
            name = " ".join(args[1:]).lower()
            service = self.state.services.get(name) or next(
                (s for s in self.state.services.values() if s.display.lower() == name), None)
            if service is None:
                return ["The service name is invalid.", "",
                        "More help is available by typing NET HELPMSG 2185.", ""]
            if verb == "start":
                if service.start == "DISABLED":
                    return ["System error 1058 has occurred.", "",
                            "The service cannot be started, either because it is disabled or because "
                            "it has no enabled devices associated with it.", ""]
                if service.state == "RUNNING":
                    return ["The requested service has already been started.", "",
                            "More help is available by typing NET HELPMSG 2182.", ""]
                service.state = "RUNNING"
                return [f"The {service.display} service is starting.",
                        f"The {service.display} service was started successfully.", ""]
            service.state = "STOPPED"
            return [f"The {service.display} service is stopping.",
                    f"The {service.display} service was stopped successfully.", ""]
        if verb == "user":
            if len(args) == 1:
                names = sorted(self.state.users, key=str.lower) + ["DefaultAccount", "Guest"]
                return ["", f"User accounts for \\\\{COMPUTER_NAME}", "", "-" * 79,
                        "".join(n.ljust(25) for n in names).rstrip(), *NET_OK]
            name = args[1]
            if name not in self.state.users:
                return ["The user name could not be found.", "",
                        "More help is available by typing NET HELPMSG 2221.", ""]
            if len(args) > 2 and args[2].lower().startswith("/active:"):
                self.state.users[name] = args[2].lower().endswith("yes")
                return NET_OK
            active = "Yes" if self.state.users[name] else "No"
            groups = "*Administrators" if name in self.state.admins else "*Users"
            return [f"User name                    {name}", f"Account active               {active}",
                    "Password expires             Never", f"Local Group Memberships      {groups}",
                    *NET_OK]
        if verb == "localgroup" and len(args) > 1 and args[1].lower() == "administrators":
            return ["Alias name     administrators",
                    "Comment        Administrators have complete and unrestricted access to the "
                    "computer/domain", "", "Members", "", "-" * 79, *self.state.admins, *NET_OK]
        return ["The syntax of this command is:", "", "NET", "    [ ACCOUNTS | COMPUTER | CONFIG | "
                "CONTINUE | FILE | GROUP | HELP |", ""]

    # -- disks --------------------------------------------------------------------------------------------
    def cmd_fsutil(self, args: list[str]) -> list[str]:
        words = [w.lower() for w in args]
        if words[:2] == ["dirty", "query"]:
            return [f"Volume C: is {'dirty' if self.state.disk_dirty else 'not dirty'}", ""]
        if words[:2] == ["dirty", "set"]:
            self.state.disk_dirty = True
            return ["Volume - C: is now marked dirty", ""]
        return ["---- Commands Supported ----", "", "dirty         Dirty volume management", ""]

    def cmd_chkdsk(self, args: list[str]) -> list[str]:
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
                self.state.chkdsk_scheduled = True
                return ["", "This volume will be checked the next time the system restarts.", ""]
            return [""]

        self.question = answer
        return ["The type of the file system is NTFS.", "Cannot lock current drive.", "",
                "Chkdsk cannot run because the volume is in use by another",
                "process.  Would you like to schedule this volume to be",
                "checked the next time the system restarts? (Y/N) "]

    def cmd_chkntfs(self, args: list[str]) -> list[str]:
        if args and args[0].lower() == "/c":
            self.state.chkdsk_scheduled = True
            return [""]
        scheduled = self.state.disk_dirty or self.state.chkdsk_scheduled
        return ["The type of the file system is NTFS.",
                "C: is dirty.  You may use the /C option to schedule chkdsk for" if scheduled
                else "C: is not dirty.", *(["    this drive." ] if scheduled else []), ""]

    # -- boot configuration and power ------------------------------------------------------------------
    def cmd_bcdedit(self, args: list[str]) -> list[str]:
        words = [w.lower() for w in args]
        if not words or words[0] == "/enum":
            return _bcd_enum(self.state)
        if words[0] == "/set" and len(words) >= 3:
            if words[1] == "{current}" and words[2] == "safeboot" and len(words) > 3:
                self.state.safeboot = args[3].capitalize()
            elif words[1] == "{bootmgr}" and words[2] == "displaybootmenu":
                self.state.display_boot_menu = len(words) > 3 and words[3] == "yes"
            elif words[1] == "{bootmgr}" and words[2] == "timeout" and len(words) > 3:
                self.state.boot_timeout = int(words[3])
            return COMPLETED
        if words[0] == "/deletevalue" and len(words) >= 3:
            if words[2] == "safeboot":
                if self.state.safeboot is None:
                    return ["An error has occurred while attempting to delete the specified data "
                            "element.", "Element not found.", ""]
                self.state.safeboot = None
            elif words[2] == "displaybootmenu":
                self.state.display_boot_menu = False
            return COMPLETED
        if words[0] in ("/ems", "/emssettings", "/bootems"):
            return COMPLETED
        return ["The parameter is incorrect.", "Run \"bcdedit /?\" for command line assistance.", ""]

    def cmd_shutdown(self, args: list[str]) -> list[str]:
        if "/r" in [a.lower() for a in args]:
            self.on_restart()
            return [""]
        return ["Usage: shutdown [/i | /l | /s | /sg | /r | /g | /a | /p | /h | /e | /o] [/hybrid]", ""]

    # -- the rest ------------------------------------------------------------------------------------------
    def cmd_powershell(self, args: list[str]) -> list[str]:
        self.powershell = True
        return ["Windows PowerShell", "Copyright (C) Microsoft Corporation. All rights reserved.", ""]

    def cmd_hostname(self, args: list[str]) -> list[str]:
        return [COMPUTER_NAME, ""]

    def cmd_whoami(self, args: list[str]) -> list[str]:
        return [f"{COMPUTER_NAME.lower()}\\{ADMIN_USER.lower()}", ""]

    def cmd_ver(self, args: list[str]) -> list[str]:
        return ["", BANNER[0], ""]

    def cmd_echo(self, args: list[str]) -> list[str]:
        return [" ".join(args), ""]

    def cmd_dir(self, args: list[str]) -> list[str]:
        target = " ".join(args).lower()
        if "memory.dmp" in target:
            if not self.state.memory_dump:
                return [" Volume in drive C is Windows", "", "File Not Found", ""]
            return [" Volume in drive C is Windows", "", " Directory of C:\\Windows", "",
                    "11/22/2026  03:14 AM     1,073,741,824 MEMORY.DMP",
                    "               1 File(s)  1,073,741,824 bytes", ""]
        return [" Volume in drive C is Windows", " Volume Serial Number is 4E2B-91C7", "",
                " Directory of C:\\Windows\\system32", "",
                "               0 File(s)              0 bytes", ""]

    def cmd_cls(self, args: list[str]) -> list[str]:
        return ["\x1b[2J\x1b[H"]


def _sc_query(service: Service, starting: bool = False) -> list[str]:
    state = "2  START_PENDING" if starting else (
        "4  RUNNING" if service.state == "RUNNING" else "1  STOPPED")
    controls = ("(STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)" if service.state == "RUNNING" and not starting
                else "(NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)")
    return ["", f"SERVICE_NAME: {service.name}",
            f"        TYPE               : {service.kind}",
            f"        STATE              : {state}",
            f"                                {controls}",
            "        WIN32_EXIT_CODE    : 0  (0x0)",
            "        SERVICE_EXIT_CODE  : 0  (0x0)",
            "        CHECKPOINT         : 0x0",
            "        WAIT_HINT          : 0x0", ""]


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


__all__ = ["CRASH_KEY", "RDP_TCP_KEY", "TS_KEY", "CmdShell", "PROMPT", "BANNER"]

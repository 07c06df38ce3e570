"""A Windows Server VM seen through its EMS serial port: boot menus, SAC, CMD channels, crashes.

Simulator layer.  Everything runs on the runtime's thread; `later` (runtime.PowerSwitch) drops
a timer set before a reset.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from ...errors import UnsupportedAction
from ..runtime import PowerSwitch, Runtime
from ..terminal import CLEAR, Key, KeyDecoder, LineEditor, crlf
from . import bootmgr, sac_text
from .cmd import BANNER as CMD_BANNER
from .cmd import CmdShell
from .state import ADMIN_PASSWORD, COMPUTER_NAME, CRASH_KEY, WindowsState, scenario_state

MAX_CMD_CHANNELS = 9
TASKS = [(4, "System"), (88, "Registry"), (412, "smss.exe"), (584, "csrss.exe"),
         (660, "wininit.exe"), (688, "services.exe"), (908, "svchost.exe"), (1044, "svchost.exe"),
         (1320, "sacsess.exe"), (2110, "MsMpEng.exe")]


class Mode(str, Enum):
    """Where the machine is; what a key does depends on it."""

    OFF = "off"  # no power
    FIRMWARE = "firmware"  # POST: F8 opens Advanced Boot Options
    BOOTMGR = "bootmgr"  # Windows Boot Manager's menu
    ADVANCED = "advanced"  # Advanced Boot Options
    LOADING = "loading"  # Windows is starting
    SAC = "sac"  # the SAC> prompt (or !SAC> after a crash)
    CHANNEL = "channel"  # a Cmd channel is shown
    INFO = "info"  # the channel switching screen (Esc Tab)


@dataclass
class Channel:
    number: int
    editor: LineEditor = field(default_factory=LineEditor)
    screen: deque = field(default_factory=lambda: deque(maxlen=24))
    login_step: str = "username"  # username, domain, password, done
    username: str = ""
    shell: CmdShell | None = None

    @property
    def name(self) -> str:
        return "SAC" if self.number == 0 else f"Cmd{self.number:04d}"


class WindowsMachine(PowerSwitch):
    kind = "windows"
    mode: Mode

    def __init__(self, runtime: Runtime, scenario: str = "healthy") -> None:
        self.rt = runtime
        self.state: WindowsState = scenario_state(scenario)
        self.keys = KeyDecoder()
        self.mode = Mode.OFF
        self.sac = Channel(0)
        self.channels: dict[int, Channel] = {}
        self.current = 0
        self.cmd_ready = False
        self.bang_sac = False
        self.menu: bootmgr.Menu | None = None
        self.countdown: int | None = None
        self.f8_window = False
        self.boot_override: str | None = None

    # -- output -----------------------------------------------------------------------------------
    def out(self, text: str) -> None:
        self.rt.emit(crlf(text).encode("utf-8"))

    def to_channel(self, channel: Channel, text: str) -> None:
        """Write to a channel: on the wire only when it is the one being viewed."""
        text = crlf(text)
        if CLEAR in text:
            channel.screen.clear()
            text = text.split(CLEAR)[-1]
        lines = text.split("\r\n")
        if channel.screen and lines:
            channel.screen[-1] += lines[0]
            lines = lines[1:]
        channel.screen.extend(lines)
        if self.current == channel.number and self.mode in (Mode.SAC, Mode.CHANNEL):
            self.rt.emit(text.encode("utf-8"))

    def sac_print(self, lines: list[str], prompt: bool = True) -> None:
        prompt_text = ("!SAC>" if self.bang_sac else "SAC>") if prompt else ""
        self.to_channel(self.sac, "\n".join(lines) + ("\n" if lines else "") + prompt_text)

    # -- power ----------------------------------------------------------------------------------------
    def power_on(self) -> None:
        self.new_generation()
        self.mode = Mode.FIRMWARE
        self.bang_sac = False
        self.cmd_ready = False
        self.channels.clear()
        self.current = 0
        self.sac = Channel(0)
        self.f8_window = True
        if self.state.display_boot_menu:
            self.later(0.5, lambda: self._show_boot_manager())
        else:
            self.later(2.0, lambda: self._load_windows(None))

    def control(self, action: str, argument: str = "") -> str:
        if action == "nmi":
            if self.mode in (Mode.OFF, Mode.FIRMWARE, Mode.BOOTMGR, Mode.ADVANCED):
                return "NMI sent; the OS is not running, nothing happened"
            self._bugcheck("0x80", "NMI_HARDWARE_FAILURE")
            return "NMI sent"
        if action in ("reset", "restart", "power_cycle"):
            self.state.hung = False  # a hang lasts until the machine restarts
            self.out("\n")
            self.power_on()
            return {"reset": "hard reset", "restart": "restarting",
                    "power_cycle": "power cycled"}[action]
        switched = self.switch_power(action)
        if switched is not None:
            return switched
        if action == "sysrq":
            raise UnsupportedAction("You can only send a SysRq to a Linux VM.")
        if action == "break":
            return "BREAK received"
        if action == "status":
            return self.status()
        raise UnsupportedAction(f"unknown action {action}")

    def status(self) -> str:
        if self.mode == Mode.OFF:
            return "off"
        if self.bang_sac:
            return "crashed"
        return "hung" if self.state.hung else "running"

    def _restart_soon(self, delay: float = 1.0) -> None:
        self.later(delay, lambda: self.control("restart"))

    # -- boot ---------------------------------------------------------------------------------------------
    def _show_boot_manager(self) -> None:
        self.mode = Mode.BOOTMGR
        self.menu = bootmgr.new_boot_manager()
        self.countdown = self.state.boot_timeout
        self.out(bootmgr.boot_manager_screen(self.menu, self.countdown))
        self._tick()

    def _tick(self) -> None:
        def step() -> None:
            if self.mode != Mode.BOOTMGR or self.countdown is None:
                return
            self.countdown -= 1
            if self.countdown <= 0:
                self._load_windows(None)
                return
            self.out(bootmgr.countdown_row(self.countdown))
            self._tick()
        self.later(1.0, step, clock="menu")

    def _show_advanced(self) -> None:
        self.mode = Mode.ADVANCED
        self.menu = bootmgr.new_advanced_menu()
        self.out(bootmgr.advanced_screen(self.menu))

    def _load_windows(self, override: str | None) -> None:
        self.mode = Mode.LOADING
        self.f8_window = False
        self.out(CLEAR)
        lines = self.state.on_boot(override)
        delay = 3.0
        if lines:
            self.out("\n".join(lines) + "\n")
            delay += 6.0
        self.later(delay, lambda: self._sac_ready())

    def _sac_ready(self) -> None:
        self.mode = Mode.SAC
        self.sac_print(sac_text.BANNER)
        if not self.state.hung:
            self.later(4.0, lambda: self._cmd_available())

    def _cmd_available(self) -> None:
        self.cmd_ready = True
        self.sac_print(["", sac_text.CMD_AVAILABLE])

    # -- crashes ------------------------------------------------------------------------------------------
    def _bugcheck(self, code: str, name: str) -> None:
        self.new_generation()
        self.mode = Mode.SAC
        self.current = 0
        self.bang_sac = True
        self.state.hung = False
        dump = self.state.reg(CRASH_KEY, "CrashDumpEnabled") == 1
        self.state.memory_dump = self.state.memory_dump or dump
        self.out(CLEAR)
        self.sac.screen.clear()
        self.sac_print(["", *sac_text.bugcheck_block(code), ""])
        if self.state.reg(CRASH_KEY, "AutoReboot") == 1:
            self._restart_soon(60.0)  # writing the dump of a 4 GB machine takes a while

    # -- input ---------------------------------------------------------------------------------------------
    def receive(self, data: bytes) -> None:
        if self.mode == Mode.OFF or (self.state.hung and not self.bang_sac and self.mode == Mode.SAC):
            return  # a hung kernel echoes nothing
        for key in self.keys.feed(data.decode("utf-8", "replace")):
            self.key(key)
        if self.keys.waiting:
            self.rt.after_real(0.05, self._lone_escape)

    def _lone_escape(self) -> None:
        for key in self.keys.flush():
            self.key(key)

    def key(self, key: Key) -> None:
        handler = {Mode.FIRMWARE: self._key_firmware, Mode.BOOTMGR: self._key_menu,
                   Mode.ADVANCED: self._key_menu, Mode.SAC: self._key_sac,
                   Mode.CHANNEL: self._key_channel, Mode.INFO: self._key_info}.get(self.mode)
        if handler is not None:
            handler(key)

    def _key_firmware(self, key: Key) -> None:
        if key.name == "F8" and self.f8_window:
            self.new_generation()
            self._show_advanced()

    def _key_menu(self, key: Key) -> None:
        menu = self.menu
        assert menu is not None, "a menu mode has its menu"
        if self.countdown is not None:  # any key stops the countdown
            self.countdown = None
            self.out(bootmgr.countdown_row(None))
        if key.name in ("Up", "Down"):
            self.out(menu.move(-1 if key.name == "Up" else 1))
        elif key.name == "F8" and self.mode == Mode.BOOTMGR:
            self._show_advanced()
        elif key.name == "Esc" and self.mode == Mode.ADVANCED:
            self._show_boot_manager() if self.state.display_boot_menu else self._load_windows(None)
        elif key.name == "Esc":
            self.control("restart")
        elif key.char in ("\r", "\n"):
            choice = menu.choice
            override = bootmgr.SAFE_CHOICES.get(choice) if self.mode == Mode.ADVANCED else None
            self._load_windows(override)

    # -- SAC ------------------------------------------------------------------------------------------------
    def _key_sac(self, key: Key) -> None:
        if key.name == "EscTab":
            self._show_info(self._next_channel(0))
            return
        if key.name and not key.char:
            return  # SAC has no VT100 input: function keys do nothing
        if key.name.startswith(("Up", "Down", "Left", "Right", "CSI")):
            key = Key(char=key.char)  # "VT100 escape sequences aren't supported": [A is echoed
        for char in key.char or "":
            echo, line = self.sac.editor.key(Key(char=char))
            self.to_channel(self.sac, echo)
            if line is not None:
                self._sac_command(line.strip())

    def _sac_command(self, line: str) -> None:
        words = line.split()
        if not words:
            self.sac_print([])
            return
        table = BANG_SAC_COMMANDS if self.bang_sac else SAC_COMMANDS
        command = table.get(words[0].lower())
        if command is None:
            self.sac_print([sac_text.UNRECOGNIZED])
            return
        command(self, words[1:])

    # SAC's commands (the table is at the end of this module) --------------------------------------
    def _help(self, args: list[str]) -> None:
        self.sac_print(SAC_HELP)

    def _new_cmd(self, args: list[str]) -> None:
        self._new_cmd_channel()

    def _identification(self, args: list[str]) -> None:
        self.sac_print(sac_text.identification())

    def _ip(self, args: list[str]) -> None:
        if not args:
            self.sac_print(sac_text.ip_addresses(self.state.nic_enabled))
            return
        if len(args) != 4:
            self.sac_print([sac_text.BAD_PARAMETER])
            return
        self.sac_print(["SAC successfully set the IP Address, subnet mask, and gateway."])

    def _time(self, args: list[str]) -> None:
        if args:
            self.sac_print([sac_text.UNRECOGNIZED])
            return
        self.sac_print(["Date: 11/22/2026  Time (GMT): 08:00:00:0000"])

    def _tlist(self, args: list[str]) -> None:
        rows = [f"{pid:>5} {image}" for pid, image in TASKS]
        self.sac_print(["memory: 4193848 kb  uptime:  0  0:05:00.000", "", *rows])

    def _kernel_log(self, args: list[str]) -> None:
        self.sac_print(["Kernel log is empty."])

    def _kill(self, args: list[str]) -> None:
        if len(args) != 1:
            self.sac_print([sac_text.UNRECOGNIZED])
            return
        killed = any(str(pid) == args[0] for pid, _ in TASKS)
        self.sac_print(["SAC successfully terminated the process." if killed
                        else "SAC failed to terminate the process."])

    def _thread_info(self, args: list[str]) -> None:
        self.sac_print(["Thread information is now ON."])

    def _paging(self, args: list[str]) -> None:
        self.sac_print(["Paging is now ON."])

    def _lock(self, args: list[str]) -> None:
        for channel in self.channels.values():
            channel.login_step, channel.shell = "username", None
        self.sac_print([sac_text.LOCKED])

    def _restart(self, args: list[str]) -> None:
        self.sac_print(sac_text.RESTARTING, prompt=False)
        self._restart_soon()

    def _shutdown(self, args: list[str]) -> None:
        self.sac_print(sac_text.SHUTTING_DOWN, prompt=False)
        self.later(1.0, lambda: self.control("power_off"))

    def _crashdump(self, args: list[str]) -> None:
        self._bugcheck("0xE2", "MANUALLY_INITIATED_CRASH")

    def _bang_help(self, args: list[str]) -> None:
        self.sac_print(BANG_SAC_HELP)

    def _bang_kernel_log(self, args: list[str]) -> None:
        self.sac_print(["Stop error 0x80 NMI_HARDWARE_FAILURE; a memory dump was written "
                        "to %SystemRoot%\\MEMORY.DMP."])

    def _channels(self, args: list[str]) -> None:
        if not args:
            rows = ["0 (AV)    SAC"] + [f"{n} (AV)    {c.name}" for n, c in sorted(self.channels.items())]
            self.sac_print(["Channel List", "", '(Use "ch -?" for information on using channels)',
                            "", "# Status  Channel Name", *rows])
            return
        flag = args[0].lower()
        if flag == "-?":
            self.sac_print(sac_text.CHANNEL_HELP)
            return
        if flag in ("-si", "-ci") and len(args) == 2:
            number = int(args[1]) if args[1].isdigit() else -1
        elif flag in ("-sn", "-cn") and len(args) == 2:
            number = 0 if args[1].lower() == "sac" else next(
                (n for n, c in self.channels.items() if c.name.lower() == args[1].lower()), -1)
        else:
            self.sac_print([sac_text.BAD_PARAMETER])
            return
        if number != 0 and number not in self.channels:
            self.sac_print([sac_text.NO_CHANNEL_INDEX if flag.endswith("i")
                            else sac_text.NO_CHANNEL_NAME])
            return
        if flag.startswith("-c"):
            if number == 0:
                self.sac_print([sac_text.SAC_NOT_CLOSABLE])
                return
            self._close_channel(number)
            return
        self._show_info(number)

    def _new_cmd_channel(self) -> None:
        if not self.cmd_ready or self.state.hung:
            self.sac_print(sac_text.CMD_UNAVAILABLE)
            return
        if len(self.channels) >= MAX_CMD_CHANNELS:
            self.sac_print([sac_text.MAX_CHANNELS])
            return
        number = next(n for n in range(1, MAX_CMD_CHANNELS + 1) if n not in self.channels)
        channel = Channel(number)
        self.channels[number] = channel
        self.sac_print([sac_text.CMD_LAUNCHED])
        self.sac_print(["", 'EVENT:   A new channel has been created.  Use "ch -?" for channel help.',
                        f"Channel: {channel.name}"])

    def _close_channel(self, number: int) -> None:
        channel = self.channels.pop(number)
        if self.current == number:
            self.current = 0
        self.sac_print(["EVENT:   A channel has been closed.", f"Channel: {channel.name}"])

    # -- channel switching -------------------------------------------------------------------------------
    def _next_channel(self, number: int) -> int:
        numbers = [0, *sorted(self.channels)]
        return numbers[(numbers.index(number) + 1) % len(numbers)] if number in numbers else 0

    def _show_info(self, number: int) -> None:
        self.mode = Mode.INFO
        self.current = number
        channel = self.sac if number == 0 else self.channels[number]
        self.out(CLEAR + "\n".join(sac_text.channel_info(channel.name, number)))

    def _key_info(self, key: Key) -> None:
        if key.name == "EscTab":
            self._show_info(self._next_channel(self.current))
            return
        if key.char == "0":
            self.current = 0
        self._view(self.current)

    def _view(self, number: int) -> None:
        self.current = number
        channel = self.sac if number == 0 else self.channels[number]
        self.mode = Mode.SAC if number == 0 else Mode.CHANNEL
        self.out(CLEAR + "\r\n".join(channel.screen))
        prompt = "!SAC>" if self.bang_sac else "SAC>"
        if number == 0 and (not channel.screen or channel.screen[-1] != prompt):
            self.sac_print([] if not channel.screen else [""])
        if number and channel.login_step == "username" and not channel.screen:
            self.to_channel(channel, sac_text.LOGIN + "\nUsername: ")

    # -- CMD channels -------------------------------------------------------------------------------------
    def _key_channel(self, key: Key) -> None:
        channel = self.channels.get(self.current)
        if channel is None:
            self._view(0)
            return
        if key.name == "EscTab":
            self._show_info(self._next_channel(self.current))
            return
        if key.name and not key.char:
            return
        for char in key.char or "":
            echo, line = channel.editor.key(Key(char=char))
            self.to_channel(channel, echo)
            if line is not None:
                self._channel_line(channel, line)

    def _channel_line(self, channel: Channel, line: str) -> None:
        if channel.login_step == "username":
            channel.username, channel.login_step = line.strip(), "domain"
            self.to_channel(channel, "Domain  : ")
            return
        if channel.login_step == "domain":
            channel.login_step = "password"
            channel.editor.mask = "*"
            self.to_channel(channel, "Password: ")
            return
        if channel.login_step == "password":
            channel.editor.mask = ""
            known = channel.username.lower() in ("administrator", "azureuser",
                                                  f"{COMPUTER_NAME}\\administrator".lower())
            if not known or line != ADMIN_PASSWORD:
                channel.login_step = "username"
                self.to_channel(channel, "\nThe user name or password is incorrect.\n\n"
                                + sac_text.LOGIN + "\nUsername: ")
                return
            channel.login_step = "done"
            channel.shell = CmdShell(self.state, on_restart=lambda: self._restart_soon(2.0))
            self.to_channel(channel, "\n" + "\n".join(CMD_BANNER) + channel.shell.prompt)
            return
        shell = channel.shell
        assert shell is not None, "a signed-in channel has its shell"
        if line.strip().lower() == "exit" and not shell.powershell:
            self._close_channel(channel.number)
            self._view(0)
            return
        output = shell.run(line)
        if output and output[0].startswith(CLEAR):
            self.to_channel(channel, CLEAR + shell.prompt)
            return
        if shell.question is not None:
            self.to_channel(channel, "\n".join(output))
            return
        self.to_channel(channel, "\n".join(output) + "\n" + shell.prompt)


class SacCommand(NamedTuple):
    usage: str  # as SAC's help prints it
    help: str
    run: Callable[[WindowsMachine, list[str]], None] | None  # None: a second usage line only
    names: tuple[str, ...] = ()  # what is typed; the usage's first word when empty


# SAC's help, in its order (see ../shared/reference/sac-ems.md); l, m and r are not simulated.
SAC_TABLE = [
    SacCommand("ch", "Channel management commands.  Use ch -? for more help.",
               WindowsMachine._channels),
    SacCommand("cmd", "Create a Command Prompt channel.", WindowsMachine._new_cmd),
    SacCommand("d", "Dump the current kernel log.", WindowsMachine._kernel_log),
    SacCommand("f", "Toggle detailed or abbreviated tlist info.", WindowsMachine._thread_info),
    SacCommand("? or help", "Display this list.", WindowsMachine._help, ("?", "help")),
    SacCommand("i", "List all IP network numbers and their IP addresses.", WindowsMachine._ip),
    SacCommand("i <#> <ip> <subnet> <gateway>", "Set IPv4 addr., subnet and gateway.", None),
    SacCommand("id", "Display the computer identification information.",
               WindowsMachine._identification),
    SacCommand("k <pid>", "Kill the given process.", WindowsMachine._kill),
    SacCommand("l <pid>", "Lower the priority of a process to the lowest possible.", None),
    SacCommand("lock", "Lock access to Command Prompt channels.", WindowsMachine._lock),
    SacCommand("m <pid> <MB-allow>", "Limit the memory usage of a process to <MB-allow>.", None),
    SacCommand("p", "Toggle paging the display.", WindowsMachine._paging),
    SacCommand("r <pid>", "Raise the priority of a process by one.", None),
    SacCommand("s", "Display the current time and date (24 hour clock used).", WindowsMachine._time),
    SacCommand("s mm/dd/yyyy hh:mm", "Set the current time and date (24 hour clock used).", None),
    SacCommand("t", "Tlist.", WindowsMachine._tlist),
    SacCommand("restart", "Restart the system immediately.", WindowsMachine._restart),
    SacCommand("shutdown", "Shutdown the system immediately.", WindowsMachine._shutdown),
    SacCommand("crashdump", "Crash the system. You must have crash dump enabled.",
               WindowsMachine._crashdump),
]
# What !SAC> (SAC after a Stop error) still takes.
BANG_SAC_TABLE = [
    SacCommand("d", "Display all log entries, paging is on.", WindowsMachine._bang_kernel_log),
    SacCommand("help", "Display this list.", WindowsMachine._bang_help),
    SacCommand("id", "Display the computer identification information.",
               WindowsMachine._identification),
    SacCommand("restart", "Restart the system immediately.", WindowsMachine._restart),
    SacCommand("?", "Display this list.", WindowsMachine._bang_help),
]


def _commands(table: list[SacCommand]) -> dict[str, Callable[[WindowsMachine, list[str]], None]]:
    return {name: command.run for command in table if command.run is not None
            for name in command.names or (command.usage.split()[0],)}


def _help_lines(table: list[SacCommand], width: int) -> list[str]:
    return [f"{command.usage:<{width}} {command.help}" for command in table]


SAC_COMMANDS = _commands(SAC_TABLE)
BANG_SAC_COMMANDS = _commands(BANG_SAC_TABLE)
SAC_HELP = _help_lines(SAC_TABLE, 20)
BANG_SAC_HELP = _help_lines(BANG_SAC_TABLE, 8)

"""A Windows Server VM seen through its EMS serial port: boot menus, SAC, CMD channels, crashes.

Everything runs on the runtime's thread.  `generation` changes at every power transition, so a
timer set before a reset does nothing after it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

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

    def __init__(self, runtime: Runtime, scenario: str = "healthy") -> None:
        self.rt = runtime
        self.state: WindowsState = scenario_state(scenario)
        self.keys = KeyDecoder()
        self.mode = "off"
        self.generation = 0
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
        if self.current == channel.number and self.mode in ("sac", "channel"):
            self.rt.emit(text.encode("utf-8"))

    def sac_print(self, lines: list[str], prompt: bool = True) -> None:
        prompt_text = ("!SAC>" if self.bang_sac else "SAC>") if prompt else ""
        self.to_channel(self.sac, "\n".join(lines) + ("\n" if lines else "") + prompt_text)

    # -- power ----------------------------------------------------------------------------------------
    def power_on(self) -> None:
        self.generation += 1
        self.rt.cancel_timers()
        self.mode = "firmware"
        self.bang_sac = False
        self.cmd_ready = False
        self.channels.clear()
        self.current = 0
        self.sac = Channel(0)
        self.f8_window = True
        gen = self.generation
        if self.state.display_boot_menu:
            self.rt.after(0.5, lambda: gen == self.generation and self._show_boot_manager())
        else:
            self.rt.after(2.0, lambda: gen == self.generation and self._load_windows(None))

    def control(self, action: str, argument: str = "") -> str:
        if action == "nmi":
            if self.mode in ("off", "firmware", "bootmgr", "advanced"):
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
        if self.mode == "off":
            return "off"
        if self.bang_sac:
            return "crashed"
        return "hung" if self.state.hung else "running"

    def _restart_soon(self, delay: float = 1.0) -> None:
        gen = self.generation
        self.rt.after(delay, lambda: gen == self.generation and self.control("restart"))

    # -- boot ---------------------------------------------------------------------------------------------
    def _show_boot_manager(self) -> None:
        self.mode = "bootmgr"
        self.menu = bootmgr.new_boot_manager()
        self.countdown = self.state.boot_timeout
        self.out(bootmgr.boot_manager_screen(self.menu, self.countdown))
        self._tick(self.generation)

    def _tick(self, gen: int) -> None:
        def step() -> None:
            if gen != self.generation or self.mode != "bootmgr" or self.countdown is None:
                return
            self.countdown -= 1
            if self.countdown <= 0:
                self._load_windows(None)
                return
            self.out(bootmgr.countdown_row(self.countdown))
            self._tick(gen)
        self.rt.after_menu(1.0, step)

    def _show_advanced(self) -> None:
        self.mode = "advanced"
        self.menu = bootmgr.new_advanced_menu()
        self.out(bootmgr.advanced_screen(self.menu))

    def _load_windows(self, override: str | None) -> None:
        self.mode = "loading"
        self.f8_window = False
        self.out(CLEAR)
        gen = self.generation
        lines = self.state.on_boot(override)
        delay = 3.0
        if lines:
            self.out("\n".join(lines) + "\n")
            delay += 6.0
        self.rt.after(delay, lambda: gen == self.generation and self._sac_ready())

    def _sac_ready(self) -> None:
        self.mode = "sac"
        self.sac_print(sac_text.BANNER)
        if not self.state.hung:
            gen = self.generation
            self.rt.after(4.0, lambda: gen == self.generation and self._cmd_available())

    def _cmd_available(self) -> None:
        self.cmd_ready = True
        self.sac_print(["", sac_text.CMD_AVAILABLE])

    # -- crashes ------------------------------------------------------------------------------------------
    def _bugcheck(self, code: str, name: str) -> None:
        self.generation += 1
        self.rt.cancel_timers()
        self.mode = "sac"
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
        if self.mode == "off" or (self.state.hung and not self.bang_sac and self.mode == "sac"):
            return  # a hung kernel echoes nothing
        for key in self.keys.feed(data.decode("utf-8", "replace")):
            self.key(key)
        if self.keys.waiting:
            self.rt.after_real(0.05, self._lone_escape)

    def _lone_escape(self) -> None:
        for key in self.keys.flush():
            self.key(key)

    def key(self, key: Key) -> None:
        handler = {"firmware": self._key_firmware, "bootmgr": self._key_menu,
                   "advanced": self._key_menu, "sac": self._key_sac,
                   "channel": self._key_channel, "info": self._key_info}.get(self.mode)
        if handler is not None:
            handler(key)

    def _key_firmware(self, key: Key) -> None:
        if key.name == "F8" and self.f8_window:
            self.generation += 1
            self.rt.cancel_timers()
            self._show_advanced()

    def _key_menu(self, key: Key) -> None:
        menu = self.menu
        if self.countdown is not None:  # any key stops the countdown
            self.countdown = None
            self.out(bootmgr.countdown_row(None))
        if key.name in ("Up", "Down"):
            self.out(menu.move(-1 if key.name == "Up" else 1))
        elif key.name == "F8" and self.mode == "bootmgr":
            self._show_advanced()
        elif key.name == "Esc" and self.mode == "advanced":
            self._show_boot_manager() if self.state.display_boot_menu else self._load_windows(None)
        elif key.name == "Esc":
            self.control("restart")
        elif key.char in ("\r", "\n"):
            choice = menu.choice
            override = bootmgr.SAFE_CHOICES.get(choice) if self.mode == "advanced" else None
            self._load_windows(override)

    # -- SAC ------------------------------------------------------------------------------------------------
    def _key_sac(self, key: Key) -> None:
        if key.name == "EscTab":
            return self._show_info(self._next_channel(0))
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
        name = words[0].lower() if words else ""
        if self.bang_sac:
            return self._bang_sac_command(name)
        if not name:
            return self.sac_print([])
        if name in ("?", "help"):
            return self.sac_print(sac_text.HELP)
        if name == "ch":
            return self._ch(words[1:])
        if name == "cmd":
            return self._new_cmd_channel()
        if name == "id":
            return self.sac_print(sac_text.identification())
        if name == "i":
            if len(words) == 1:
                return self.sac_print(sac_text.ip_addresses(self.state.nic_enabled))
            if len(words) != 5:
                return self.sac_print([sac_text.BAD_PARAMETER])
            return self.sac_print(["SAC successfully set the IP Address, subnet mask, and gateway."])
        if name == "s" and len(words) == 1:
            return self.sac_print(["Date: 11/22/2026  Time (GMT): 08:00:00:0000"])
        if name == "t":
            rows = [f"{pid:>5} {image}" for pid, image in TASKS]
            return self.sac_print(["memory: 4193848 kb  uptime:  0  0:05:00.000", "", *rows])
        if name == "d":
            return self.sac_print(["Kernel log is empty."])
        if name == "k" and len(words) == 2:
            killed = any(str(pid) == words[1] for pid, _ in TASKS)
            return self.sac_print(["SAC successfully terminated the process." if killed
                                   else "SAC failed to terminate the process."])
        if name == "f":
            return self.sac_print(["Thread information is now ON."])
        if name == "p":
            return self.sac_print(["Paging is now ON."])
        if name == "lock":
            for channel in self.channels.values():
                channel.login_step, channel.shell = "username", None
            return self.sac_print([sac_text.LOCKED])
        if name == "restart":
            self.sac_print(sac_text.RESTARTING, prompt=False)
            return self._restart_soon()
        if name == "shutdown":
            self.sac_print(sac_text.SHUTTING_DOWN, prompt=False)
            gen = self.generation
            self.rt.after(1.0, lambda: gen == self.generation and self.control("power_off"))
            return None
        if name == "crashdump":
            return self._bugcheck("0xE2", "MANUALLY_INITIATED_CRASH")
        return self.sac_print([sac_text.UNRECOGNIZED])

    def _bang_sac_command(self, name: str) -> None:
        if name in ("?", "help"):
            return self.sac_print(["d        Display all log entries, paging is on.",
                                   "help     Display this list.",
                                   "id       Display the computer identification information.",
                                   "restart  Restart the system immediately.",
                                   "?        Display this list."])
        if name == "id":
            return self.sac_print(sac_text.identification())
        if name == "d":
            return self.sac_print(["Stop error 0x80 NMI_HARDWARE_FAILURE; a memory dump was written "
                                   "to %SystemRoot%\\MEMORY.DMP."])
        if name == "restart":
            self.sac_print(sac_text.RESTARTING, prompt=False)
            return self._restart_soon()
        return self.sac_print([] if not name else [sac_text.UNRECOGNIZED])

    def _ch(self, args: list[str]) -> None:
        if not args:
            rows = ["0 (AV)    SAC"] + [f"{n} (AV)    {c.name}" for n, c in sorted(self.channels.items())]
            return self.sac_print(["Channel List", "", '(Use "ch -?" for information on using channels)',
                                   "", "# Status  Channel Name", *rows])
        flag = args[0].lower()
        if flag == "-?":
            return self.sac_print(sac_text.CHANNEL_HELP)
        if flag in ("-si", "-ci") and len(args) == 2:
            number = int(args[1]) if args[1].isdigit() else -1
        elif flag in ("-sn", "-cn") and len(args) == 2:
            number = 0 if args[1].lower() == "sac" else next(
                (n for n, c in self.channels.items() if c.name.lower() == args[1].lower()), -1)
        else:
            return self.sac_print([sac_text.BAD_PARAMETER])
        if number != 0 and number not in self.channels:
            return self.sac_print([sac_text.NO_CHANNEL_INDEX if flag.endswith("i")
                                   else sac_text.NO_CHANNEL_NAME])
        if flag.startswith("-c"):
            if number == 0:
                return self.sac_print([sac_text.SAC_NOT_CLOSABLE])
            return self._close_channel(number)
        return self._show_info(number)

    def _new_cmd_channel(self) -> None:
        if not self.cmd_ready or self.state.hung:
            return self.sac_print(sac_text.CMD_UNAVAILABLE)
        if len(self.channels) >= MAX_CMD_CHANNELS:
            return self.sac_print([sac_text.MAX_CHANNELS])
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
        self.mode = "info"
        self.current = number
        channel = self.sac if number == 0 else self.channels[number]
        self.out(CLEAR + "\n".join(sac_text.channel_info(channel.name, number)))

    def _key_info(self, key: Key) -> None:
        if key.name == "EscTab":
            return self._show_info(self._next_channel(self.current))
        if key.char == "0":
            self.current = 0
        self._view(self.current)

    def _view(self, number: int) -> None:
        self.current = number
        channel = self.sac if number == 0 else self.channels[number]
        self.mode = "sac" if number == 0 else "channel"
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
            return self._view(0)
        if key.name == "EscTab":
            return self._show_info(self._next_channel(self.current))
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
            return self.to_channel(channel, "Domain  : ")
        if channel.login_step == "domain":
            channel.login_step = "password"
            channel.editor.mask = "*"
            return self.to_channel(channel, "Password: ")
        if channel.login_step == "password":
            channel.editor.mask = ""
            known = channel.username.lower() in ("administrator", "azureuser",
                                                  f"{COMPUTER_NAME}\\administrator".lower())
            if not known or line != ADMIN_PASSWORD:
                channel.login_step = "username"
                return self.to_channel(channel, "\nThe user name or password is incorrect.\n\n"
                                       + sac_text.LOGIN + "\nUsername: ")
            channel.login_step = "done"
            channel.shell = CmdShell(self.state, on_restart=lambda: self._restart_soon(2.0))
            return self.to_channel(channel, "\n" + "\n".join(CMD_BANNER) + channel.shell.prompt)
        shell = channel.shell
        if line.strip().lower() == "exit" and not shell.powershell:
            self._close_channel(channel.number)
            return self._view(0)
        output = shell.run(line)
        if output and output[0].startswith(CLEAR):
            return self.to_channel(channel, CLEAR + shell.prompt)
        if shell.question is not None:
            return self.to_channel(channel, "\n".join(output))
        self.to_channel(channel, "\n".join(output) + "\n" + shell.prompt)

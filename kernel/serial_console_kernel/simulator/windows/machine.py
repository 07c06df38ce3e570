"""A Windows Server VM seen through its EMS serial port: boot menus, SAC, CMD channels, crashes.

Simulator layer.  Everything runs on the runtime's thread; `later` (runtime.PowerSwitch) drops
a timer set before a reset.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from ...errors import UnsupportedAction
from ..runtime import PowerSwitch, Runtime
from ..terminal import CLEAR, Key, KeyDecoder, LineEditor, crlf
from . import bootmgr, sac, sac_text
from .cmd import BANNER as CMD_BANNER
from .cmd import CmdShell
from .state import ADMIN_PASSWORD, COMPUTER_NAME, CRASH_KEY, WindowsState, scenario_state

MAX_CMD_CHANNELS = 9
PASTE_LIMIT = 2048
CMD_LINE_MAX = 8191


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
    # cmd.exe takes at most 8191 characters on a command line (Microsoft, "Command prompt
    # (Cmd.exe) command-line string limitation"); SAC's own lines are held to the same here.
    editor: LineEditor = field(default_factory=lambda: LineEditor(CMD_LINE_MAX))
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
        self._reset_sac()

    def _reset_sac(self) -> None:
        """What SAC keeps in memory, lost at each boot."""
        self.thread_info = False  # `f`: abbreviated task list
        self.paging = True  # `p`: ReactOS's table, the first `p` prints "Paging is now OFF."
        self.lowered: set[int] = set()
        self.clock = ("11/22/2026", "08:00")

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
        self._reset_sac()
        self.f8_window = True
        if self.state.display_boot_menu:
            self.later(0.5, lambda: self._show_boot_manager())
        else:
            self.later(2.0, lambda: self._load_windows(None))

    def control(self, action: str, argument: str = "") -> str:
        if action == "nmi":
            if self.mode in (Mode.OFF, Mode.FIRMWARE, Mode.BOOTMGR, Mode.ADVANCED):
                return "NMI sent; the OS is not running, nothing happened"
            self.bugcheck("0x80", "NMI_HARDWARE_FAILURE")
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

    def restart_soon(self, delay: float = 1.0) -> None:
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
        if self.state.crashes_at_boot():  # the bad driver loads before SAC does
            self.later(delay, lambda: self.bugcheck("0x50", "PAGE_FAULT_IN_NONPAGED_AREA"))
            return
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
    def bugcheck(self, code: str, name: str) -> None:
        self.new_generation()
        self.mode = Mode.SAC
        self.current = 0
        self.bang_sac = True
        self.state.hung = False
        self.state.write_dump(code)
        self.out(CLEAR)
        self.sac.screen.clear()
        self.sac_print(["", *sac_text.bugcheck_block(code), ""])
        if self.state.reg(CRASH_KEY, "AutoReboot") == 1:
            self.restart_soon(60.0)  # writing the dump of a 4 GB machine takes a while

    # -- input ---------------------------------------------------------------------------------------------
    def receive(self, data: bytes) -> None:
        # Azure's serial console takes at most 2048 characters at a time ("pastes are capped at
        # 2048 characters", serial-console-windows.md): the rest of a longer burst is lost.
        data = data[:PASTE_LIMIT]
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
            self.show_info(self._next_channel(0))
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
        table = sac.BANG_SAC_COMMANDS if self.bang_sac else sac.SAC_COMMANDS
        command = table.get(words[0].lower())
        if command is None:
            self.sac_print([sac_text.UNRECOGNIZED])
            return
        command(self, words[1:])

    def new_cmd_channel(self) -> None:
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

    def close_channel(self, number: int) -> None:
        channel = self.channels.pop(number)
        if self.current == number:
            self.current = 0
        self.sac_print(["EVENT:   A channel has been closed.", f"Channel: {channel.name}"])

    # -- channel switching -------------------------------------------------------------------------------
    def _next_channel(self, number: int) -> int:
        numbers = [0, *sorted(self.channels)]
        return numbers[(numbers.index(number) + 1) % len(numbers)] if number in numbers else 0

    def show_info(self, number: int) -> None:
        self.mode = Mode.INFO
        self.current = number
        channel = self.sac if number == 0 else self.channels[number]
        self.out(CLEAR + "\n".join(sac_text.channel_info(channel.name, number)))

    def _key_info(self, key: Key) -> None:
        if key.name == "EscTab":
            self.show_info(self._next_channel(self.current))
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
            self.show_info(self._next_channel(self.current))
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
            channel.shell = CmdShell(self.state, on_restart=lambda: self.restart_soon(2.0))
            self.to_channel(channel, "\n" + "\n".join(CMD_BANNER) + channel.shell.prompt)
            return
        shell = channel.shell
        assert shell is not None, "a signed-in channel has its shell"
        if line.strip().lower() == "exit" and not shell.powershell:
            # The real SAC shows the SAC channel's switching screen, and the next key only
            # leaves it: Microsoft's guides say "type exit, and then press Enter two times".
            self.close_channel(channel.number)
            self.show_info(0)
            return
        output = shell.run(line)
        if output and output[0].startswith(CLEAR):
            self.to_channel(channel, CLEAR + shell.prompt)
            return
        if shell.question is not None:
            self.to_channel(channel, "\n".join(output))
            return
        self.to_channel(channel, "\n".join(output) + "\n" + shell.prompt)

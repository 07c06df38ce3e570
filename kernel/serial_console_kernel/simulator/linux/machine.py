"""A Linux VM seen through ttyS0: GRUB, the kernel's boot log, login or emergency mode, a shell,
Magic SysRq after a serial BREAK, and NMIs.  Runs on the runtime's thread."""

from __future__ import annotations

import functools
from enum import Enum

from ...errors import UnsupportedAction
from ..runtime import PowerSwitch, Runtime
from ..terminal import Key, KeyDecoder, LineEditor, crlf
from . import grub
from .shell import Shell
from .state import HOSTNAME, KERNEL, KERNEL_BUILD, PASSWORD, LinuxState, scenario_state

SYSRQ_HELP = ("sysrq: HELP : loglevel(0-9) reboot(b) crash(c) terminate-all-tasks(e) "
              "memory-full-oom-kill(f) kill-all-tasks(i) thaw-filesystems(j) sak(k) "
              "show-backtrace-all-active-cpus(l) show-memory-usage(m) nice-all-RT-tasks(n) "
              "poweroff(o) show-registers(p) show-all-timers(q) unraw(r) sync(s) show-task-states(t) "
              "unmount(u) show-blocked-tasks(w) dump-ftrace-buffer(z)")
SYSRQ_ACTIONS = {"s": "Emergency Sync", "u": "Emergency Remount R/O", "e": "Terminate All Tasks",
                 "i": "Kill All Tasks", "m": "Show Memory", "t": "Show State", "w": "Show Blocked State",
                 "l": "Show backtrace of all active CPUs", "p": "Show Regs", "o": "Power Off"}
EMERGENCY = ['You are in emergency mode. After logging in, type "journalctl -xb" to view',
             'system logs, "systemctl reboot" to reboot, "systemctl default" or "exit"',
             "to boot into default mode."]
RESCUE = ['You are in rescue mode. After logging in, type "journalctl -xb" to view',
          'system logs, "systemctl reboot" to reboot, "systemctl default" or "exit"',
          "to boot into default mode."]
MAINTENANCE = "Give root password for maintenance\n(or press Control-D to continue): "
LOCKED = ("\nCannot open access to console, the root account is locked.\n"
          "See sulogin(8) man page for more details.\n\nPress Enter to continue.")
MOTD = """The programs included with the Debian GNU/Linux system are free software;
the exact distribution terms for each program are described in the
individual files in /usr/share/doc/*/copyright.

Debian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent
permitted by applicable law.
"""


class Mode(str, Enum):
    """Where the machine is; what a key does depends on it."""

    OFF = "off"  # no power
    GRUB = "grub"  # GRUB's menu
    EDITOR = "editor"  # GRUB's entry editor
    BOOTING = "booting"  # the kernel and systemd start
    LOGIN = "login"  # the login: prompt
    PASSWORD = "password"  # the Password: prompt
    EMERGENCY = "emergency"  # emergency mode's root password prompt
    SHELL = "shell"  # a shell
    PAGER = "pager"  # less shows a command's output and waits for q
    PANIC = "panic"  # a kernel panic, before the reboot


class LinuxMachine(PowerSwitch):
    kind = "linux"
    mode: Mode

    def __init__(self, runtime: Runtime, scenario: str = "healthy") -> None:
        self.rt = runtime
        self.state: LinuxState = scenario_state(scenario)
        self.keys = KeyDecoder()
        self.editor = LineEditor()
        self.mode = Mode.OFF
        self.selected = 0
        self.countdown: int | None = None
        self.entries = grub.MAIN_MENU  # the menu on screen: the main one or the submenu
        self.grub_editor: grub.Editor | None = None
        self.cmdline = grub.BASE_CMDLINE
        self.clock = 0.0
        self.boot_log: list[str] = []
        self.shell: Shell | None = None
        self.login_user = ""
        self.sysrq_armed = False
        self.at_line_start = True

    # -- output -------------------------------------------------------------------------------
    def out(self, text: str) -> None:
        if text:
            self.at_line_start = text.endswith("\n")
            self.rt.emit(crlf(text).encode("utf-8"))

    def printk(self, message: str, advance: float = 0.25, *, shown: bool = True) -> None:
        """A kernel message, kept in the log; on the console (unless `quiet` hides it) it lands
        wherever the cursor is, after a prompt too, as on a real one (fidelity/linux/nmi.txt)."""
        self.clock += advance
        line = f"[{self.clock:12.6f}] {message}"
        self.boot_log.append(line)
        if shown:
            self.out(line + "\n")

    # -- power ----------------------------------------------------------------------------------
    def power_on(self) -> None:
        self.new_generation()
        self.mode = Mode.GRUB
        self.entries = grub.MAIN_MENU
        self.selected, self.countdown = 0, 5
        self.sysrq_armed = False
        self.later(0.4, lambda: self._draw_menu())

    def _draw_menu(self) -> None:
        self.out(grub.menu_screen(self.entries, self.selected, self.countdown,
                                  submenu=self.entries is grub.SUBMENU))
        if self.countdown is not None:
            self._tick()

    def _tick(self) -> None:
        def step() -> None:
            if self.mode != Mode.GRUB or self.countdown is None:
                return
            self.countdown -= 1
            if self.countdown <= 0:
                self._boot_entry(self.selected)
                return
            self.out(grub.countdown_row(self.countdown))
            self._tick()
        self.later(1.0, step, clock="menu")

    def control(self, action: str, argument: str = "") -> str:
        if action == "nmi":
            if self.mode in (Mode.OFF, Mode.GRUB, Mode.EDITOR):
                return "NMI sent; no kernel is running, nothing happened"
            self.printk("Uhhuh. NMI received for unknown reason 3c on CPU 0.", advance=3.0)
            if "unknown_nmi_panic=1" in self.cmdline:
                return self._panic("NMI: Not continuing")
            self.printk("Dazed and confused, but trying to continue", advance=0.0)
            return "NMI sent"
        if action in ("reset", "restart", "power_cycle"):
            if action == "restart" and self.mode in (Mode.SHELL, Mode.LOGIN, Mode.EMERGENCY):
                self.out("\n")
                for message in ("reboot: Restarting system",):
                    self.printk(message, advance=1.0)
            self.power_on()
            return {"reset": "hard reset", "restart": "restarting", "power_cycle": "power cycled"}[action]
        switched = self.switch_power(action)
        if switched is not None:
            return switched
        if action == "sysrq":
            if not argument:
                raise UnsupportedAction("sysrq needs a key, e.g. h, b, c, s, u")
            return self._sysrq(argument[0])
        if action == "break":
            self.sysrq_armed = True
            self.later(5.0, lambda: setattr(self, "sysrq_armed", False), clock="real")
            return "BREAK received"
        if action == "status":
            return {Mode.OFF: "off", Mode.PANIC: "panicked"}.get(self.mode, "running")
        raise UnsupportedAction(f"unknown action {action}")

    def _sysrq(self, key: str) -> str:
        self.sysrq_armed = False
        if self.mode in (Mode.OFF, Mode.GRUB, Mode.EDITOR, Mode.PANIC):
            return "SysRq ignored: no kernel is running"
        if key == "h":
            self.printk(SYSRQ_HELP, advance=5.0)
        elif key == "b":
            self.printk("sysrq: Resetting", advance=5.0)
            self.power_on()
        elif key == "c":
            self.printk("sysrq: Trigger a crash", advance=5.0)
            self._panic("sysrq triggered crash")
        elif key.isdigit():
            self.printk("sysrq: Changing Loglevel", advance=5.0)
            self.printk(f"sysrq: Loglevel set to {key}", advance=0.0)
        elif key in SYSRQ_ACTIONS:
            self.printk(f"sysrq: {SYSRQ_ACTIONS[key]}", advance=5.0)
            if key == "o":
                self.control("power_off")
        else:
            self.printk(SYSRQ_HELP, advance=5.0)
        return f"SysRq {key} sent"

    def _panic(self, reason: str) -> str:
        self.printk(f"Kernel panic - not syncing: {reason}", advance=0.001)
        self.printk("Kernel Offset: 0x2a000000 from 0xffffffff81000000", advance=0.002)
        self.printk(f"---[ end Kernel panic - not syncing: {reason} ]---", advance=0.001)
        self.mode = Mode.PANIC
        self.later(2.0, lambda: self.power_on())
        return "kernel panicked"

    # -- boot -----------------------------------------------------------------------------------------
    def _boot_entry(self, index: int) -> None:
        entry = self.entries[index]
        if not entry.cmdline:  # "Advanced options": its submenu, without a countdown
            self.entries, self.selected, self.countdown = grub.SUBMENU, 0, None
            self._draw_menu()
            return
        self._boot(entry.cmdline, f"`{entry.title}'")

    def _boot(self, cmdline: str, what: str = "a command list") -> None:
        """GRUB's lines, then the kernel's (none with `quiet`), then userspace."""
        self.mode = Mode.BOOTING
        self.cmdline = f"BOOT_IMAGE=/boot/vmlinuz-{KERNEL} {cmdline}"
        self.clock = 0.0
        self.boot_log = []
        self.out(grub.CLEAR + f"  Booting {what}\n\nLoading Linux {KERNEL} ...\n"
                 "Loading initial ramdisk ...\n")
        kernel_lines = [
            (0.0, f"Linux version {KERNEL} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) "
                  f"12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC {KERNEL_BUILD}"),
            (0.0, f"Command line: {self.cmdline}"),
            (0.004, "DMI: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014"),
            (0.112, "Memory: 232188K/523756K available"),
            (0.412, "Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled"),
            (0.004, "00:04: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A"),
            (0.668, "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none."),
            (0.608, "systemd[1]: systemd 252.39-1~deb12u1 running in system mode"),
        ]
        if "init=/bin/bash" in cmdline.split():
            kernel_lines = kernel_lines[:-1]  # no systemd: bash is process 1
        # quiet: the kernel logs, the console shows nothing (tests/fidelity/linux/boot-to-login.txt)
        shown = "quiet" not in cmdline.split()
        delay = 0.0
        for advance, message in kernel_lines:
            delay += 0.15
            self.later(delay, functools.partial(self.printk, message, advance=advance, shown=shown))
        self.later(delay + 0.5, self._userspace)

    def _userspace(self) -> None:
        words = self.cmdline.split()
        if "init=/bin/bash" in words:
            self.shell = self._new_shell("bash")
            self.mode = Mode.SHELL
            self.out("bash: cannot set terminal process group (-1): Inappropriate ioctl for device\n"
                     "bash: no job control in this shell\n" + self.shell.prompt)
            return
        self._status("[  OK  ] Started systemd-journald.service - Journal Service.")
        if "single" in words or "systemd.unit=rescue.target" in words:
            self._maintenance(RESCUE)
            return
        failures = self.state.on_boot()
        if failures or "systemd.unit=emergency.target" in words:
            self.out("\n".join(failures) + "\n" if failures else "")
            self._maintenance(EMERGENCY)
            return
        self._reach_multi_user()

    def _status(self, line: str) -> None:
        """systemd's progress lines: only without `quiet`, which hides all but failures."""
        if "quiet" not in self.cmdline.split():
            self.out(line + "\n")

    def _reach_multi_user(self) -> None:
        self._status("[  OK  ] Reached target local-fs.target - Local File Systems.")
        if self.state.sshd_running:
            self._status("[  OK  ] Started ssh.service - OpenBSD Secure Shell server.")
        self._status("[  OK  ] Reached target multi-user.target - Multi-User System.")
        self._login_prompt()

    def _login_prompt(self) -> None:
        self.mode = Mode.LOGIN
        self.login_user = ""
        self.editor = LineEditor()
        self.out(f"\nDebian GNU/Linux 12 {HOSTNAME} ttyS0\n\n{HOSTNAME} login: ")

    def _maintenance(self, text: list[str]) -> None:
        self.mode = Mode.EMERGENCY
        self.editor = LineEditor()
        self.editor.echo = False
        self.out("\n".join(text) + "\n" + (LOCKED if self.state.root_locked else MAINTENANCE))

    def _continue_boot(self) -> None:
        """`systemctl default`, `exit` or Control-D in emergency mode: the fstab systemd read at
        boot still counts until `systemctl daemon-reload` (the real one goes straight back)."""
        failures = self.state.on_boot(reload=False)
        if failures:
            self.out("\n".join(failures) + "\n")
            self._maintenance(EMERGENCY)
            return
        self._reach_multi_user()

    def _new_shell(self, user: str) -> Shell:
        return Shell(self.state, user, cmdline=self.cmdline, actions={
            "reboot": self._reboot, "continue_boot": self._continue_boot,
            "logout": self._logout, "boot_log": lambda: list(self.boot_log)})

    def _reboot(self) -> None:
        self.out("\n")
        self.printk("reboot: Restarting system", advance=1.0)
        self.later(1.0, lambda: self.power_on())

    def _logout(self) -> None:
        self.shell = None
        if self.state.emergency or "single" in self.cmdline.split():
            self._continue_boot()
            return
        self._login_prompt()

    # -- input -----------------------------------------------------------------------------------------
    def receive(self, data: bytes) -> None:
        if self.mode in (Mode.OFF, Mode.PANIC):
            return
        for key in self.keys.feed(data.decode("utf-8", "replace")):
            self.key(key)
        if self.keys.waiting:
            self.rt.after_real(0.05, self._lone_escape)

    def _lone_escape(self) -> None:
        for key in self.keys.flush():
            self.key(key)

    def key(self, key: Key) -> None:
        if self.sysrq_armed and key.char and not key.name:
            self._sysrq(key.char)
            return
        handler = {Mode.GRUB: self._key_grub, Mode.EDITOR: self._key_editor, Mode.LOGIN: self._key_line,
                   Mode.PASSWORD: self._key_line, Mode.EMERGENCY: self._key_line,
                   Mode.SHELL: self._key_line, Mode.PAGER: self._key_pager}.get(self.mode)
        if handler is not None:
            handler(key)

    def _key_grub(self, key: Key) -> None:
        if self.countdown is not None:
            self.countdown = None
            self.out(grub.countdown_row(None))
        if key.name in ("Up", "Down"):
            previous = self.selected
            step = 1 if key.name == "Down" else -1
            self.selected = max(0, min(len(self.entries) - 1, self.selected + step))
            self.out(grub.entry_row(self.entries, previous, self.selected)
                     + grub.entry_row(self.entries, self.selected, self.selected))
        elif key.char in ("\r", "\n"):
            self._boot_entry(self.selected)
        elif key.name == "Esc" and self.entries is grub.SUBMENU:
            self.entries, self.selected = grub.MAIN_MENU, 0
            self._draw_menu()
        elif key.char == "e" and self.entries[self.selected].cmdline:
            self.mode = Mode.EDITOR
            self.grub_editor = grub.Editor.for_entry(self.entries[self.selected])
            self.out(self.grub_editor.screen())

    def _key_editor(self, key: Key) -> None:
        editor = self.grub_editor
        assert editor is not None, "the editor mode has its editor"
        if key.char == "\x18" or key.name == "F10":  # Ctrl-X boots the edited entry
            self._boot(editor.cmdline)
            return
        if key.name == "Esc":
            self.mode = Mode.GRUB
            self.countdown = None
            self._draw_menu()
            return
        editor.key(key.name, key.char)
        self.out(editor.screen())

    def _key_line(self, key: Key) -> None:
        if key.char == "\x03" and self.mode == Mode.SHELL and self.shell is not None:
            self.editor.buffer = ""
            self.out("^C\n" + self.shell.prompt)
            return
        if key.char == "\x04" and not self.editor.buffer:
            if self.mode == Mode.EMERGENCY:
                self.out("\n")
                self._continue_boot()
                return
            if self.mode == Mode.SHELL:
                self._logout()
                return
        if key.name:
            return  # arrow keys: no history in this small shell
        echo, line = self.editor.key(key)
        self.out(echo)
        if line is not None:
            self._line(line)

    def _line(self, line: str) -> None:
        if self.mode == Mode.LOGIN:
            if not line.strip():
                self.out(f"{HOSTNAME} login: ")
                return
            self.login_user = line.strip()
            self.mode = Mode.PASSWORD
            self.editor.echo = False
            self.out("Password: ")
            return
        if self.mode == Mode.PASSWORD:
            self.editor.echo = True
            if self.login_user not in ("root", "azureuser") or line != PASSWORD:
                self.mode = Mode.LOGIN
                self.out(f"\nLogin incorrect\n{HOSTNAME} login: ")
                return
            self.shell = self._new_shell(self.login_user)
            self.mode = Mode.SHELL
            self.out(f"Linux {HOSTNAME} {KERNEL} #1 SMP PREEMPT_DYNAMIC {KERNEL_BUILD} x86_64\n\n"
                     + MOTD + self.shell.prompt)
            return
        if self.mode == Mode.EMERGENCY:
            if self.state.root_locked:  # Enter: sulogin gives up, systemd tries again
                self.out("\n")
                self._continue_boot()
                return
            if line != PASSWORD:
                self.out("\nLogin incorrect\n\n" + MAINTENANCE)
                return
            self.editor.echo = True
            self.shell = self._new_shell("root")
            self.mode = Mode.SHELL
            self.out(self.shell.prompt)
            return
        shell = self.shell
        assert shell is not None, "the shell mode has its shell"
        output = shell.run(line)
        if self.mode != Mode.SHELL or self.shell is not shell:
            return  # the command rebooted, logged out or continued the boot
        if shell.paged:
            self.mode = Mode.PAGER
            end = f"lines 1-{len(output)}/{len(output)} (END)"
            self.out("".join(text + "\n" for text in output) + f"\x1b[7m{end}\x1b[27m")
            return
        self.out("".join(text + "\n" for text in output) + shell.prompt)

    def _key_pager(self, key: Key) -> None:
        if key.char in ("q", "Q") and self.shell is not None:
            self.mode = Mode.SHELL
            self.out("\r\x1b[K" + self.shell.prompt)

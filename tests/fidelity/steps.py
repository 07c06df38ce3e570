"""The steps recorded on the real Debian VM and replayed on the simulator: what the Linux
runbooks and scenarios do, screen by screen.  A named step's screen is recorded and compared.

`compare` says how a simulator's screen must match the recording, both normalized:
"exact" (menus, editors, short answers), or "subsequence" (boot logs and other long output:
every line the simulator shows must be in the recording, in order; the real one may show
more)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from serial_console_kernel.engine.patterns import compile_pattern, escape
from serial_console_kernel.target import Target

Action = Callable[[Target], Awaitable[object]]


@dataclass
class Step:
    run: Action
    name: str = ""  # recorded as NAME.txt
    full: bool = False  # the whole screen, not only what came since the last step
    compare: str = "exact"


def wait(text: str) -> Action:
    return wait_regex(escape(text))


def wait_regex(pattern: str) -> Action:
    # Bounded by the Target's %timeout: long for the real VM, short for the simulator.
    return lambda target: target.wait(compile_pattern(pattern))


def line(text: str) -> Action:
    return lambda target: target.type_line(text)


def keys(*names: str) -> Action:
    return lambda target: target.press(list(names))


def keys_until(key: str, pattern: str) -> Action:
    return lambda target: target.press_until([key], compile_pattern(pattern))


def send(text: str) -> Action:
    return lambda target: target.send(text)


def act(action: str, argument: str = "") -> Action:
    return lambda target: target.act(action, argument)


def snapshot() -> Action:
    async def clear(target: Target) -> None:
        await target.quiet()
        target.snapshot()  # what came so far is shown: the next step starts afresh

    return clear


def password_step(password: str, name: str = "") -> Step:
    async def typed(target: Target) -> object:
        return await target.type_password(password)

    return Step(typed, name, compare="subsequence")


def login(password: str) -> list[Step]:
    return [Step(wait("login: ")), Step(line("root")), password_step(password, "login")]


def emergency(password: str, name: str) -> list[Step]:
    """Wait for emergency mode's password prompt (recorded as NAME) and sign in."""
    return [Step(wait("(or press Control-D to continue): "), name, compare="subsequence"),
            password_step(password), Step(snapshot())]


def healthy(password: str) -> list[Step]:
    return [
        Step(wait("The highlighted entry will be executed")),
        Step(keys("Down")),
        Step(keys("Up"), "grub-menu", full=True),
        Step(keys("Down")),
        Step(keys("Enter"), "grub-submenu", full=True),
        Step(keys("Esc")),
        Step(keys("e"), "grub-editor", full=True),
        Step(keys_until("Down", r"^\s*linux")),
        Step(keys("Ctrl-E")),
        Step(send(" init=/bin/bash"), "grub-editor-edited", full=True),
        Step(keys("Ctrl-X")),
        Step(wait_regex(r"root@\(none\):/# $"), "init-bash", compare="subsequence"),
        Step(line("mount -o remount,rw /"), "remount"),
        Step(act("reset")),
        Step(wait("login: "), "boot-to-login", compare="subsequence"),
        Step(snapshot()),
        *login(password)[1:],
        Step(line("iptables -L INPUT -n"), "iptables-list"),
        Step(line("systemctl is-enabled ssh"), "ssh-is-enabled"),
        Step(line("mount -a"), "mount-all"),
        Step(line("systemctl status ssh"), "systemctl-pager", full=True, compare="subsequence"),
        Step(keys("q")),
        Step(snapshot()),
        Step(act("nmi"), "nmi", compare="subsequence"),
        Step(snapshot()),
        Step(line("systemctl status ssh --no-pager"), "systemctl-no-pager", compare="subsequence"),
        Step(act("sysrq", "h"), "sysrq-help", compare="subsequence"),
    ]


def iptables_drops_ssh(password: str) -> list[Step]:
    return [
        Step(wait("login: ")),
        Step(snapshot()),
        *login(password)[1:],
        Step(line("iptables -L INPUT -n --line-numbers"), "iptables-drop-rule"),
        Step(line("iptables -D INPUT 1")),
        Step(line("iptables -L INPUT -n"), "iptables-empty"),
    ]


def fstab_bad_entry(password: str) -> list[Step]:
    return [*emergency(password, "emergency-mode"), Step(line("mount -a"), "mount-missing")]


def fs_needs_fsck(password: str) -> list[Step]:
    return [*emergency(password, "fsck-emergency"),
            Step(line("fsck -y /dev/vda2"), "fsck-repair", compare="subsequence")]


def root_locked(password: str) -> list[Step]:
    return [Step(wait("Press Enter to continue."), "emergency-locked", compare="subsequence")]


SCRIPTS: dict[str, Callable[[str], list[Step]]] = {
    "healthy": healthy,
    "iptables-drops-ssh": iptables_drops_ssh,
    "fstab-bad-entry": fstab_bad_entry,
    "root-locked": root_locked,
    "fs-needs-fsck": fs_needs_fsck,
}

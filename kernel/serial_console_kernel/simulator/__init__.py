"""Simulator (a peer, not a layer of the kernel): a Windows Server with SAC/EMS and a Linux VM,
each with named faults.

`Simulation` is one powered machine on its own thread; the `sim:` transport and the TCP server
(`serial-console sim`) both drive one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .runtime import Runtime, SkippingClock, parse_speed

if TYPE_CHECKING:
    from .linux import LinuxMachine
    from .windows import WindowsMachine

KINDS = ("windows", "linux")


def scenarios(kind: str) -> dict[str, str]:
    if kind == "windows":
        from .windows.state import SCENARIOS
    elif kind == "linux":
        from .linux.state import SCENARIOS
    else:
        raise ValueError(f"unknown simulated machine {kind!r}: windows or linux")
    return SCENARIOS


def default_password(target: str) -> str:
    """The documented password of the simulated machine a `sim:` target names."""
    if target.startswith("sim:linux"):
        from .linux.state import PASSWORD
    else:
        from .windows.state import ADMIN_PASSWORD as PASSWORD
    return PASSWORD


class Simulation:
    def __init__(self, kind: str, scenario: str = "healthy", speed: str = "fast") -> None:
        if scenario not in scenarios(kind):
            raise ValueError(f"unknown {kind} scenario {scenario!r}; "
                             f"`serial-console sim --list` lists them")
        self.kind, self.scenario = kind, scenario
        self.runtime = Runtime(parse_speed(speed), SkippingClock() if speed == "instant" else None)
        self.machine: WindowsMachine | LinuxMachine
        if kind == "windows":
            from .windows import WindowsMachine

            self.machine = WindowsMachine(self.runtime, scenario)
        else:
            from .linux import LinuxMachine

            self.machine = LinuxMachine(self.runtime, scenario)

    def start(self) -> None:
        self.runtime.start(self.machine.power_on)

    def attach(self, sink: Callable[[bytes], None]) -> None:
        self.runtime.add_sink(sink)

    def detach(self, sink: Callable[[bytes], None]) -> None:
        self.runtime.remove_sink(sink)

    def type(self, data: bytes, done: Callable[[], None] | None = None) -> None:
        """Keystrokes for the machine; `done` runs once it has taken them."""
        def receive() -> None:
            try:
                self.machine.receive(data)
            finally:
                if done is not None:
                    done()

        self.runtime.post(receive)

    def control(self, action: str, argument: str = "") -> str:
        return str(self.runtime.call(lambda: self.machine.control(action, argument)))

    def health(self) -> dict:
        health = self.runtime.call(lambda: self.machine.state.health())
        assert isinstance(health, dict)
        return health

    def stop(self) -> None:
        self.runtime.stop()

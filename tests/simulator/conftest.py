"""Drive the simulator in-process through the same session and console the kernel uses."""

from __future__ import annotations

import asyncio
import re

import pytest

from serial_console_kernel.engine.console import Console
from serial_console_kernel.engine.session import ConsoleSession
from serial_console_kernel.engine.settings import Settings
from serial_console_kernel.simulator.windows.state import ADMIN_PASSWORD
from serial_console_kernel.transports import open_transport


class SimConsole:
    """A console on a simulated machine, with synchronous helpers for tests."""

    def __init__(self, target: str, keys: str) -> None:
        self.session = ConsoleSession(open_transport(target))
        self.session.start()
        # The machine runs in this process and answers at once: a short quiet ends a step
        # that shows no prompt (a channel switch) without the default 0.4 s wait.
        self.console = Console(self.session, Settings(keys=keys, timeout=10, quiet_ms=100), target)
        self.simulation = self.session.transport.simulation
        self.last = ""

    def run(self, coroutine):
        return asyncio.run(coroutine)

    def wait(self, text: str, timeout: float = 10) -> str:
        """Until `text` shows: in the last screen a helper returned, or in output yet to come."""
        if text in self.last:
            last, self.last = self.last, ""
            return last
        self.run(self.console.wait_text(re.compile(re.escape(text)), timeout=timeout, new=True))
        return self.screen()

    def type(self, *lines: str) -> str:
        for line in lines:
            self.run(self.console.type_line(line))
        return self.screen()

    def keys(self, *names: str) -> str:
        self.run(self.console.press(list(names)))
        return self.screen()

    def screen(self) -> str:
        self.last = self.console.snapshot().text()
        return self.last

    def health(self) -> dict:
        return self.simulation.health()

    def close(self) -> None:
        self.console.close()


def speed(request) -> str:
    """The machine's own delays are skipped (the skipping clock) unless the test needs them:
    a window between two events, such as the seconds before the CMD service registers."""
    return "fast" if request.node.get_closest_marker("sim_delays") else "instant"


@pytest.fixture
def windows(request):
    scenario = getattr(request, "param", "healthy")
    sim = SimConsole(f"sim:windows?scenario={scenario}&speed={speed(request)}", "ems")
    yield sim
    sim.close()


@pytest.fixture
def linux(request):
    scenario = getattr(request, "param", "healthy")
    sim = SimConsole(f"sim:linux?scenario={scenario}&speed={speed(request)}", "xterm")
    yield sim
    sim.close()


def open_cmd(sim: SimConsole) -> str:
    """SAC → cmd → switch → log in: the documented way into a Command Prompt channel."""
    sim.wait("EVENT: The CMD command is now available.")
    assert "Channel: Cmd0001" in sim.type("cmd")
    sim.type("ch -si 1")
    sim.keys("Enter")
    return sim.type("Administrator", "", ADMIN_PASSWORD)


def login_linux(sim: SimConsole) -> str:
    sim.wait("login:", timeout=15)
    return sim.type("root", "Sim-P@ssw0rd!")

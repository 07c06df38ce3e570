"""`sim:windows?scenario=…&speed=…` and `sim:linux?…`: the built-in simulator, in-process."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from ..errors import ConsoleError, TransportClosed
from .base import Inbox

if TYPE_CHECKING:
    from ..simulator import Simulation


class SimulatorTransport:
    can_break = True

    def __init__(self, target: str, *, baud: int = 0) -> None:
        kind, _, query = target[len("sim:"):].partition("?")
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        self.kind = kind or "windows"
        self.scenario = params.get("scenario", "healthy")
        self.speed = params.get("speed", "fast")
        self.description = target
        self._incoming = Inbox()
        self.simulation: Simulation | None = None
        # Windows' EMS console takes VT100+ keys (F8 is Esc 8); power goes to the simulator.
        self.default_keys = "ems" if self.kind == "windows" else "xterm"
        self.default_power = "sim"

    @property
    def default_password(self) -> str:
        """The simulated machine's documented sign-in password."""
        from ..simulator import default_password

        return default_password(self.description)

    def open(self) -> None:
        from ..simulator import Simulation

        try:
            simulation = Simulation(self.kind, self.scenario, self.speed)
        except ValueError as err:
            raise ConsoleError(str(err)) from None
        simulation.attach(self._incoming.put)
        simulation.start()
        self.simulation = simulation

    def read(self, timeout: float) -> bytes:
        if self.simulation is None:
            raise TransportClosed(f"{self.description} is closed")
        return self._incoming.take(timeout)

    def write(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None:
        # In process: the machine queues what is typed, it never blocks.
        if self.simulation is None:
            raise TransportClosed(f"{self.description} is closed")
        self.simulation.type(data)

    def send_break(self) -> None:
        if self.simulation is not None:
            self.simulation.control("break")

    def close(self) -> None:
        simulation, self.simulation = self.simulation, None
        if simulation is not None:
            simulation.stop()

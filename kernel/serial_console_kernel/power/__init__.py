"""Power layer: power and control: NMI, reset, power, SysRq and BREAK travel another way than keystrokes.

Backends implement one small interface (`base.PowerBackend`) and say which actions they
support, so magics and widgets offer only what works.  `open_power` picks one from its spec.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConsoleError
from .base import ACTIONS, PowerBackend

if TYPE_CHECKING:
    from ..transports.base import Transport


def open_power(spec: str, transport: Transport | None = None) -> PowerBackend:
    """`qmp:PATH`, `qmp:tcp:HOST:PORT`, `sim`, `sim:HOST:PORT`, `cmd:nmi=…;reset=…`, `line`."""
    from .line import LinePower

    if spec.startswith("qmp:"):
        from .qmp import QmpPower

        backend: PowerBackend = QmpPower(spec[len("qmp:"):], transport)
    elif spec == "sim" or spec.startswith("sim:"):
        from .simulator import SimulatorPower

        backend = SimulatorPower(spec, transport)
    elif spec.startswith("cmd:"):
        from .command import CommandPower

        backend = CommandPower(spec[len("cmd:"):])
    elif spec == "line":
        if transport is None:
            raise ConsoleError("the line power backend sends BREAK on the console: connect first")
        backend = LinePower(transport)
    else:
        raise ConsoleError(f"unknown power backend {spec!r}: qmp:PATH, qmp:tcp:HOST:PORT, sim, "
                           "sim:HOST:PORT, cmd:ACTION=COMMAND;…, or line")
    return backend


__all__ = ["ACTIONS", "PowerBackend", "open_power"]

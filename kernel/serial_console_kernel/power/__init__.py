"""Power layer: power and control: NMI, reset, power, SysRq and BREAK travel another way than keystrokes.

Backends implement one small interface (`base.PowerBackend`) and say which actions they
support, so magics and widgets offer only what works.  `open_power` picks one from its spec,
by the spec's prefix in BACKENDS.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from ..errors import ConsoleError
from .base import ACTIONS, PowerBackend

if TYPE_CHECKING:
    from ..transports.base import Transport

# scheme -> ("module:Class", whether the class gets the spec without "scheme:"); the class
# takes (spec, transport).  A spec is its scheme alone, or the scheme then ":" or "+".
BACKENDS = {
    "qmp": ("qmp:QmpPower", True),
    "sim": ("simulator:SimulatorPower", False),
    "cmd": ("command:CommandPower", True),
    "libvirt": ("libvirt_domain:LibvirtPower", False),
    "ipmi": ("ipmi:IpmiPower", False),
    "azure": ("azure:AzurePower", False),
}
USAGE = ("qmp:PATH, qmp:tcp:HOST:PORT, sim, sim:HOST:PORT, cmd:ACTION=COMMAND;…, "
         "libvirt:///system/DOMAIN, ipmi://USER@HOST[:PORT], azure://SUBSCRIPTION/RESOURCE_GROUP/VM, "
         "or line")


def open_power(spec: str, transport: Transport | None = None) -> PowerBackend:
    """A power backend for `spec` (see USAGE); `transport` is the console, for those that
    send BREAK on it or attach it at power on."""
    from .line import LinePower

    if spec == "line":
        if transport is None:
            raise ConsoleError("the line power backend sends BREAK on the console: connect first")
        return LinePower(transport)
    scheme = spec.split(":", 1)[0].split("+", 1)[0]
    if scheme in BACKENDS:
        where, strip = BACKENDS[scheme]
        module, _, name = where.partition(":")
        backend = getattr(import_module(f".{module}", __name__), name)
        return backend(spec[len(scheme) + 1:] if strip else spec, transport)
    raise ConsoleError(f"unknown power backend {spec!r}: {USAGE}")


__all__ = ["ACTIONS", "PowerBackend", "open_power"]

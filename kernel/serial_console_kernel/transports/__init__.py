"""Transports layer: transports move bytes to and from a console; one module per kind of target.

Every transport has the same small interface (see `base.Transport`), so the session and the
kernel never branch on which one is in use.  A target names its transport by its scheme: ours
are in SCHEMES; other packages add theirs through the entry point group below (name: the
scheme, value: a factory called as `factory(target, baud=…)`), as pyserial opens its own URL
handlers to other packages.  Anything else (a device path, `rfc2217://`, `loop://`, a
pyserial extension's scheme) is pyserial's.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points

from ..errors import ConsoleError
from .base import Transport

ENTRY_POINT_GROUP = "serial_console_kernel.transports"
# scheme -> "module:Class"; the class takes (target, baud=…).
SCHEMES = {
    "exec": "pty_command:CommandTransport",
    "socket": "tcp_socket:SocketTransport",
    "telnet": "tcp_socket:SocketTransport",
    "sim": "simulator:SimulatorTransport",
    "libvirt": "libvirt_console:LibvirtTransport",
    "ipmi": "ipmi_sol:IpmiSolTransport",
    "azure": "azure_console:AzureConsoleTransport",
}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

Factory = Callable[..., Transport]


def scheme_of(target: str) -> str | None:
    """`socket` for socket://…, `exec` for exec:…; None for a device path (/dev/ttyUSB0, COM3)."""
    match = _SCHEME.match(target)
    if match is None or (len(match.group(1)) == 1 and target[2:3] in ("\\", "/")):
        return None  # C:\… is a Windows path, not a scheme
    return match.group(1).lower()


def _plugins() -> dict[str, EntryPoint]:
    return {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}


def factory_for(target: str) -> Factory:
    scheme = scheme_of(target)
    if scheme is not None and scheme.partition("+")[0] in SCHEMES:  # libvirt+ssh: libvirt's
        scheme = scheme.partition("+")[0]
        module, _, name = SCHEMES[scheme].partition(":")
        return getattr(import_module(f".{module}", __name__), name)
    plugin = _plugins().get(scheme) if scheme else None
    if plugin is not None:
        try:
            return plugin.load()
        except Exception as err:  # noqa: BLE001 - a broken plugin is the user's one-line error
            raise ConsoleError(f"the transport plugin for {scheme}: could not be loaded: {err}") from None
    from .pyserial_url import PySerialTransport

    return PySerialTransport  # type: ignore[return-value]  # a Transport by its methods


def open_transport(target: str, *, baud: int = 115200, take_over: bool = False,
                   environ: Mapping[str, str] | None = None) -> Transport:
    """Open the console named by `target`: see the module's docstring for who handles which.
    `take_over` forces a console another client holds; `environ` is where credentials are read
    (the process's environment, or a fleet target's own).  A factory gets each only when its
    signature names it: a serial line has neither."""
    target = target.strip()
    factory = factory_for(target)
    options: dict[str, object] = {"take_over": take_over, "environ": environ}
    accepted = inspect.signature(factory).parameters
    transport = factory(target, baud=baud,
                        **{name: value for name, value in options.items() if name in accepted})
    transport.open()
    return transport


def known_schemes() -> list[str]:
    from .pyserial_url import pyserial_schemes

    return sorted({*SCHEMES, *_plugins(), *pyserial_schemes()})


__all__ = ["ENTRY_POINT_GROUP", "SCHEMES", "Transport", "known_schemes", "open_transport"]

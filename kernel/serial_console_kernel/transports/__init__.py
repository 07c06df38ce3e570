"""Transports move bytes to and from a console; one module per kind of target.

Every transport has the same small interface (see `base.Transport`), so the session and the
kernel never branch on which one is in use.  `open_transport` picks one from the target text.
"""

from __future__ import annotations

from .base import Transport


def open_transport(target: str, *, baud: int = 115200) -> Transport:
    """Open the console named by `target`: a pyserial URL or device path, `exec:CMD`, `sim:…`."""
    target = target.strip()
    if target.startswith("exec:"):
        from .pty_command import CommandTransport

        transport: Transport = CommandTransport(target[len("exec:"):])
    elif target.startswith(("socket://", "telnet://")):
        from .tcp_socket import SocketTransport

        transport = SocketTransport(target)
    elif target.startswith("sim:"):
        from .simulator import SimulatorTransport

        transport = SimulatorTransport(target)
    else:
        from .pyserial_url import PySerialTransport

        transport = PySerialTransport(target, baud=baud)
    transport.open()
    return transport


__all__ = ["Transport", "open_transport"]

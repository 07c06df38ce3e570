"""The one interface every transport implements."""

from __future__ import annotations

from typing import Protocol

from ..errors import UnsupportedAction


class Transport(Protocol):
    """Bytes in, bytes out.

    `read` blocks for at most `timeout` seconds and returns b"" when nothing arrived; it raises
    `TransportClosed` once the peer is gone.  Reads happen on the session's reader thread;
    writes come from the kernel's thread, so implementations must allow both at once.
    """

    description: str

    def open(self) -> None: ...

    def read(self, timeout: float) -> bytes: ...

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...

    def send_break(self) -> None: ...


def no_break(transport_name: str) -> None:
    raise UnsupportedAction(
        f"{transport_name} cannot send a serial BREAK; use a device, rfc2217:// or telnet "
        "target, or a power backend with sysrq (qmp:, sim)"
    )

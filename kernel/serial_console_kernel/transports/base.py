"""The one interface every transport implements."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Protocol

from ..errors import UnsupportedAction, WriteStopped


class Transport(Protocol):
    """Bytes in, bytes out.

    `read` blocks for at most `timeout` seconds and returns b"" when nothing arrived; it raises
    `TransportClosed` once the peer is gone.  `write` gives up after `timeout` seconds, or
    soon after `abort` is set, with WriteStopped (a peer that reads nothing must not hang the
    kernel).  Reads happen on the session's reader thread; writes come from the kernel's
    thread, so implementations must allow both at once.
    """

    description: str
    can_break: bool  # send_break works: the panel offers BREAK and SysRq on the line
    # Defaults a target brings with it (see DEFAULTS for the rest): the key profile, the power
    # backend spec, and a password to type when %password finds none.
    default_keys: str
    default_power: str | None
    default_password: str | None
    # A dropped connection is opened again (a network console: ser2net, a console server, a
    # BMC); a command that exited or a device unplugged is reported instead.  Absent: False.
    reconnects: bool

    def open(self) -> None: ...

    def read(self, timeout: float) -> bytes: ...

    def write(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None: ...

    def close(self) -> None: ...

    def send_break(self) -> None: ...


def no_break(transport_name: str) -> None:
    raise UnsupportedAction(
        f"{transport_name} cannot send a serial BREAK; use a device, rfc2217:// or telnet "
        "target, or a power backend with sysrq (qmp:, sim)"
    )


def write_all(data: bytes, send_some: Callable[[memoryview], int], writable: Callable[[float], bool],
              timeout: float | None, abort: threading.Event | None) -> None:
    """Write in slices while the peer takes them: `send_some` never blocks (it returns 0 when
    the peer's buffer is full), `writable(seconds)` waits for room."""
    view, total = memoryview(data), len(data)
    deadline = None if timeout is None else time.monotonic() + timeout
    while view:
        if abort is not None and abort.is_set():
            raise WriteStopped("interrupted", total - len(view), total)
        remaining = 0.25 if deadline is None else deadline - time.monotonic()
        if remaining <= 0:
            raise WriteStopped(
                f"the console took {total - len(view)} of {total} bytes in {timeout:g} s and reads no "
                "more (a hung target, flow control?): the rest was not typed", total - len(view), total)
        if writable(min(0.25, remaining)):
            view = view[send_some(view[:65536]):]


def write_to_socket(sock: socket.socket, data: bytes, timeout: float | None,
                    abort: threading.Event | None) -> None:
    """`write_all` on a socket, without ever blocking in send."""

    def send_some(chunk: memoryview) -> int:
        try:
            return sock.send(chunk, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return 0

    def writable(seconds: float) -> bool:
        return bool(select.select([], [sock], [], seconds)[1])

    write_all(data, send_some, writable, timeout, abort)


DEFAULTS = {"default_keys": "xterm", "default_power": None, "default_password": None}


def default(transport: Transport, name: str) -> str | None:
    """A transport's default, or the general one when it does not say."""
    return getattr(transport, name, DEFAULTS[name])

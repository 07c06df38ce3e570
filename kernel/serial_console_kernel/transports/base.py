"""The one interface every transport implements."""

from __future__ import annotations

import queue
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


class Inbox:
    """What a console that delivers by callback (the in-process simulator, a libvirt stream,
    pyghmi's SOL) has sent, for `read` on the session's thread: bytes, or the exception that
    ended the console, in the order they came."""

    def __init__(self) -> None:
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue()
        self._held: BaseException | None = None  # came behind bytes: raised by the next take

    def put(self, item: bytes | BaseException) -> None:
        self._queue.put(item)

    def take(self, timeout: float) -> bytes:
        """All the bytes that arrived, joined (one emulation pass for a burst of small
        callbacks), waiting up to `timeout` for the first; b"" when none came.  An exception
        is raised by the take after the one that returned the bytes before it.  One reader."""
        held, self._held = self._held, None
        if held is not None:
            raise held
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return b""
        if isinstance(item, BaseException):
            raise item
        chunks = [item]
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, BaseException):
                self._held = item
                break
            chunks.append(item)
        return b"".join(chunks)


DEFAULTS = {"default_keys": "xterm", "default_power": None, "default_password": None}


def default(transport: Transport, name: str) -> str | None:
    """A transport's default, or the general one when it does not say."""
    return getattr(transport, name, DEFAULTS[name])

"""`socket://HOST:PORT` (raw TCP) and `telnet://HOST:PORT` (TCP with telnet framing).

Our own instead of pyserial's socket:// handler, which discards what the console already sent
when it opens (reset_input_buffer), reads byte by byte (in_waiting is 0 or 1) and cannot send a
BREAK.  telnet:// strips IAC negotiation, doubles 0xFF on the way out and sends BREAK as IAC BRK,
which QEMU's telnet chardev and ser2net turn into a real serial break (for Linux SysRq).
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from urllib.parse import urlsplit

from ..errors import ConsoleError, TransportClosed
from .base import no_break, write_to_socket

# A flood is emulated in big bites: the fast path's fixed cost per read is a screenful.
READ_SIZE = 1 << 20
IAC, DONT, DO, WONT, WILL, SB, SE, BRK = 255, 254, 253, 252, 251, 250, 240, 243


class SocketTransport:
    reconnects = True  # a console server restarts, a network blips: open it again
    def __init__(self, target: str, *, baud: int = 0) -> None:  # baud: a TCP console has none
        self.target = target
        self.description = target
        parts = urlsplit(target)
        self.telnet = parts.scheme == "telnet"
        self.can_break = self.telnet  # IAC BRK; raw TCP has no way to say BREAK
        try:
            port = parts.port
        except ValueError:  # not a number, or out of range
            port = None
        if not parts.hostname or not port:
            raise ConsoleError(f"bad target {target!r}: write {parts.scheme}://HOST:PORT "
                               "with a port from 1 to 65535")
        self.address = (parts.hostname, port)
        self._sock: socket.socket | None = None
        self._write_lock = threading.Lock()
        self._telnet_state = 0  # bytes still to skip of an IAC command
        self._in_subnegotiation = False

    def open(self) -> None:
        try:
            sock = socket.create_connection(self.address, timeout=10)
        except ConnectionRefusedError:
            raise ConsoleError(
                f"connection refused by {self.target}: is the console server running?"
            ) from None
        except TimeoutError:
            raise ConsoleError(f"no answer from {self.target} within 10 s") from None
        except OSError as err:
            raise ConsoleError(f"cannot reach {self.target}: {err.strerror or err}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        self._sock = sock

    def read(self, timeout: float) -> bytes:
        sock = self._require_open()
        try:
            ready, _, _ = select.select([sock], [], [], timeout)
            if not ready:
                return b""
            data = sock.recv(READ_SIZE)
        except (OSError, ValueError) as err:
            raise TransportClosed(f"{self.target} disconnected: {err}") from None
        if not data:
            raise TransportClosed(f"{self.target} closed the connection")
        return self._strip_telnet(data) if self.telnet else data

    def _strip_telnet(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            if self._telnet_state == 1:  # after IAC
                if byte == IAC:
                    out.append(IAC)
                    self._telnet_state = 0
                elif byte in (DO, DONT, WILL, WONT):
                    self._telnet_state = 2
                elif byte == SB:
                    self._in_subnegotiation = True
                    self._telnet_state = 0
                elif byte == SE:
                    self._in_subnegotiation = False
                    self._telnet_state = 0
                else:
                    self._telnet_state = 0
            elif self._telnet_state == 2:  # the option of DO/DONT/WILL/WONT
                self._telnet_state = 0
            elif byte == IAC:
                self._telnet_state = 1
            elif not self._in_subnegotiation:
                out.append(byte)
        return bytes(out)

    def write(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None:
        if self.telnet:
            data = data.replace(b"\xff", b"\xff\xff")
        self._send(data, timeout, abort)

    def _send(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None:
        sock = self._require_open()
        try:
            with self._write_lock:
                write_to_socket(sock, data, timeout, abort)
        except (OSError, ValueError) as err:
            raise TransportClosed(f"{self.target} disconnected: {err}") from None

    def send_break(self) -> None:
        if not self.telnet:
            no_break("socket://")
        self._send(bytes([IAC, BRK]))

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            close_socket(sock)

    def _require_open(self) -> socket.socket:
        if self._sock is None:
            raise TransportClosed(f"{self.target} is closed")
        return self._sock


def close_socket(sock: socket.socket) -> None:
    """Shut down before closing, so a thread blocked reading it wakes up at once."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()

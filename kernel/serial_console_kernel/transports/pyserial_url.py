"""Device paths and every pyserial URL: socket://, rfc2217://, loop://, spy://, /dev/tty*."""

from __future__ import annotations

import socket

import serial

from ..errors import ConsoleError, TransportClosed
from .base import no_break

_URL_SCHEMES = ("socket://", "rfc2217://", "loop://", "spy://", "hwgrep://", "alt://", "cp2110://")


class PySerialTransport:
    def __init__(self, target: str, *, baud: int = 115200) -> None:
        self.target = target
        self.baud = baud
        self.description = target
        self._port: serial.SerialBase | None = None

    @property
    def is_device(self) -> bool:
        return not self.target.startswith(_URL_SCHEMES)

    def open(self) -> None:
        if "://" in self.target and not self.target.startswith(_URL_SCHEMES):
            scheme = self.target.split("://", 1)[0]
            raise ConsoleError(
                f"unknown target scheme {scheme!r}: use a device path, socket://HOST:PORT, "
                "rfc2217://HOST:PORT, loop://, exec:COMMAND or sim:windows"
            )
        try:
            port = serial.serial_for_url(
                self.target, baudrate=self.baud, timeout=0.25, do_not_open=True
            )
            if self.is_device:
                # A second kernel on the same tty would interleave bytes: lock it like tio does.
                port.exclusive = True
            port.open()
        except serial.SerialException as err:
            raise ConsoleError(self._explain(err)) from None
        except (OSError, ValueError) as err:
            raise ConsoleError(f"cannot open {self.target}: {err}") from None
        if self.target.startswith("socket://"):
            # Without TCP_NODELAY every round trip waits for a delayed ACK (about 40 ms).
            sock = getattr(port, "_socket", None)
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._port = port

    def _explain(self, err: Exception) -> str:
        text = str(err)
        if "exclusively lock" in text or "Resource temporarily unavailable" in text:
            return f"{self.target} is in use by another program (another kernel, picocom, tio?)"
        if "Permission denied" in text:
            return (
                f"permission denied on {self.target}: add yourself to the dialout group "
                "or fix the device's permissions"
            )
        if "No such file" in text or "could not open port" in text and self.is_device:
            return f"no such device {self.target}: check the cable and the path (ls /dev/tty*)"
        if "Connection refused" in text:
            return f"connection refused by {self.target}: is the console server running?"
        return f"cannot open {self.target}: {text}"

    def read(self, timeout: float) -> bytes:
        port = self._require_open()
        try:
            first = port.read(1)
            if not first:
                return b""
            waiting = port.in_waiting
            return first + (port.read(waiting) if waiting else b"")
        except serial.SerialException as err:
            raise TransportClosed(f"{self.target} disconnected: {err}") from None
        except (OSError, TypeError, AttributeError) as err:
            # pyserial raises TypeError/AttributeError when the port is closed under a read.
            raise TransportClosed(f"{self.target} closed: {err}") from None

    def write(self, data: bytes) -> None:
        port = self._require_open()
        try:
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError) as err:
            raise TransportClosed(f"{self.target} disconnected: {err}") from None

    def send_break(self) -> None:
        port = self._require_open()
        if self.target.startswith(("socket://", "loop://")):
            # pyserial's socket:// send_break is a silent no-op: say so instead.
            no_break(self.target.split("://")[0] + "://")
        port.send_break(0.25)

    def close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except Exception:  # noqa: BLE001 - closing a dead port must not fail the caller
                pass
            self._port = None

    def _require_open(self) -> serial.SerialBase:
        if self._port is None:
            raise TransportClosed(f"{self.target} is closed")
        return self._port

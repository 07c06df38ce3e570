"""Device paths and pyserial URLs: /dev/tty*, rfc2217://, loop://, spy://, hwgrep://."""

from __future__ import annotations

import threading

import serial

from ..errors import ConsoleError, TransportClosed, WriteStopped
from .base import no_break

_URL_SCHEMES = ("rfc2217://", "loop://", "spy://", "hwgrep://", "alt://", "cp2110://")


class PySerialTransport:
    def __init__(self, target: str, *, baud: int = 115200) -> None:
        self.target = target
        self.baud = baud
        self.description = target
        self.can_break = not target.startswith("loop://")
        self._port: serial.SerialBase | None = None

    @property
    def is_device(self) -> bool:
        return not self.target.startswith(_URL_SCHEMES)

    def open(self) -> None:
        if "://" in self.target and not self.target.startswith(_URL_SCHEMES):
            scheme = self.target.split("://", 1)[0]
            raise ConsoleError(
                f"unknown target scheme {scheme!r}: use a device path, socket://HOST:PORT, "
                "telnet://HOST:PORT, rfc2217://HOST:PORT, loop://, exec:COMMAND or sim:windows"
            )
        try:
            port = serial.serial_for_url(
                self.target, baudrate=self.baud, timeout=0.25, do_not_open=True
            )
            if self.is_device:
                # A second kernel on the same tty would interleave bytes: lock it like tio does.
                port.exclusive = True
            # pyserial flushes input on open: a boot already under way would lose its first lines.
            port.reset_input_buffer = lambda: None
            port.open()
        except serial.SerialException as err:
            raise ConsoleError(self._explain(err)) from None
        except (OSError, ValueError) as err:
            raise ConsoleError(f"cannot open {self.target}: {err}") from None
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
        if self.is_device and ("No such file" in text or "could not open port" in text):
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

    def write(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None:
        port = self._require_open()
        try:
            port.write_timeout = timeout
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException:
            raise WriteStopped(f"the console took no more within {timeout:g} s (flow control, a "
                               "hung target?): the rest was not typed", 0, len(data)) from None
        except (serial.SerialException, OSError) as err:
            raise TransportClosed(f"{self.target} disconnected: {err}") from None

    def send_break(self) -> None:
        port = self._require_open()
        if self.target.startswith("loop://"):
            no_break("loop://")
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

"""Device paths and pyserial URLs: /dev/tty*, rfc2217://, loop://, spy://, hwgrep://, and the
schemes of pyserial's extensions (packages added to `serial.protocol_handler_packages`)."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import threading

import serial

from ..errors import ConsoleError, TransportClosed, WriteStopped
from . import scheme_of
from .base import no_break


def pyserial_schemes() -> set[str]:
    """The URL schemes pyserial can open now: a `protocol_NAME` module in one of its handler
    packages is the scheme NAME (serial_for_url looks them up the same way)."""
    schemes = set()
    for package in serial.protocol_handler_packages:
        try:
            path = importlib.import_module(package).__path__
        except (ImportError, AttributeError):
            continue
        schemes |= {module.name[len("protocol_"):] for module in pkgutil.iter_modules(path)
                    if module.name.startswith("protocol_")}
    return schemes


class PySerialTransport:
    def __init__(self, target: str, *, baud: int = 115200) -> None:
        self.target = target
        self.baud = baud
        self.description = target
        self.can_break = not target.startswith("loop://")
        self._port: serial.SerialBase | None = None

    @property
    def is_device(self) -> bool:
        return scheme_of(self.target) is None

    def open(self) -> None:
        scheme = scheme_of(self.target)
        if scheme is not None and scheme not in pyserial_schemes():
            from . import known_schemes

            raise ConsoleError(
                f"unknown target scheme {scheme!r}: use a device path (/dev/ttyUSB0) or one of "
                + ", ".join(f"{name}:" for name in known_schemes())
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
            with contextlib.suppress(Exception):  # closing a dead port must not fail the caller
                self._port.close()
            self._port = None

    def _require_open(self) -> serial.SerialBase:
        if self._port is None:
            raise TransportClosed(f"{self.target} is closed")
        return self._port

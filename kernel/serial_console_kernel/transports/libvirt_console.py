"""`libvirt:///system/DOMAIN`: a libvirt domain's serial console, through libvirt-python.

The target is a libvirt URI with the domain's name as its last path segment and `libvirt` in
place of the driver: `libvirt:///system/vm1` is `qemu:///system` and domain vm1,
`libvirt+ssh://admin@host/system/vm1` is `qemu+ssh://admin@host/system`.  A query string
stays with the URI (`?keyfile=…`).

The console is `virDomainOpenConsole`'s stream, the one `virsh console` uses.  Unlike a
`virsh console` process, this transport outlives the domain's power: while the domain is off
the line is silent, and the stream is opened again when it starts (the power backend starts it
paused, attaches, then resumes it, so not a byte of the boot is missed).
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConsoleError, TakenOver, TransportClosed, UnsupportedAction
from .base import Inbox, write_all

INSTALL = ("libvirt targets need libvirt-python: pip install 'serial-console-kernel[libvirt]' "
           "(it builds against libvirt: apt install libvirt-dev pkg-config gcc python3-dev)")
HELD = "Active console session exists"
# QEMU's pty chardev looks for a new client once a second, and drops what the guest prints
# until it has seen one (after a forced take-over it first has to see the old one go): what is
# typed sooner is answered only seconds later, after the cell ended.  Typing waits until the
# console has sent a byte, or this long after an attach (measured: 1.0-1.9 s; no event says so).
PTY_NOTICES = 2.1
STOPPED_WITHIN = 5.0  # seconds from a stream's hang-up to the domain's STOPPED event, at most
_events_started = threading.Lock()
_events_thread: threading.Thread | None = None


def libvirt_module() -> Any:
    """The `libvirt` module, with its event loop running (streams and callbacks need it)."""
    global _events_thread
    try:
        import libvirt
    except ImportError:
        raise ConsoleError(INSTALL) from None
    with _events_started:
        if _events_thread is None:
            # Registered before the first connection, or that connection gets no events.
            libvirt.virEventRegisterDefaultImpl()
            # Its default handler prints every error on stderr; ours become one-line messages.
            libvirt.registerErrorHandler(lambda _context, _error: None, None)

            def run() -> None:
                while True:
                    libvirt.virEventRunDefaultImpl()

            _events_thread = threading.Thread(target=run, name="libvirt-events", daemon=True)
            _events_thread.start()
    return libvirt


def split_target(target: str) -> tuple[str, str]:
    """(libvirt URI, domain name) of `libvirt[+TRANSPORT]://[HOST]/system|session/DOMAIN`."""
    parts = urlsplit(target)
    scheme, _, carrier = parts.scheme.partition("+")
    path, _, domain = parts.path.rstrip("/").rpartition("/")
    if scheme != "libvirt" or not domain or path not in ("/system", "/session"):
        raise ConsoleError(f"bad libvirt target {target!r}: write libvirt:///system/DOMAIN, "
                           "libvirt:///session/DOMAIN or libvirt+ssh://USER@HOST/system/DOMAIN")
    driver = "qemu+" + carrier if carrier else "qemu"
    query = "?" + parts.query if parts.query else ""
    return f"{driver}://{parts.netloc}{path}{query}", domain  # urlunsplit drops an empty //


def open_domain(target: str) -> tuple[Any, Any]:
    """(connection, domain) for a libvirt target; failures are one line naming the fix."""
    libvirt = libvirt_module()
    uri, name = split_target(target)
    try:
        connection = libvirt.open(uri)
    except libvirt.libvirtError as err:
        raise ConsoleError(f"cannot connect to libvirt at {uri}: {err.get_error_message()} "
                           "(is libvirtd running, and may this user use it?)") from None
    try:
        return connection, connection.lookupByName(name)
    except libvirt.libvirtError:
        names = sorted(domain.name() for domain in connection.listAllDomains())
        connection.close()
        raise ConsoleError(f"no domain {name!r} at {uri}; its domains: "
                           f"{', '.join(names) or 'none'}") from None


class _HungUp(Exception):
    """The stream ended: `read` finds out whether the domain stopped or the console was taken."""


class LibvirtTransport:
    can_break = False  # libvirt has no API for a serial BREAK (Alt+SysRq goes by sendKey)
    reconnects = False  # the stream follows the domain's power by itself (see `read`)

    def __init__(self, target: str, *, baud: int = 0, take_over: bool = False) -> None:
        self.uri, self.domain_name = split_target(target)
        self.description = target
        self.default_power = target  # power through the same domain's API
        self.take_over = take_over
        self._libvirt: Any = None
        self._connection: Any = None
        self._domain: Any = None
        self._stream: Any = None
        self._incoming = Inbox()
        self._lock = threading.RLock()  # one stream at a time, whoever attaches
        self._closed = False
        # Set by the domain's lifecycle events (on libvirt's event thread), taken by `read`.
        self._started, self._stopped = threading.Event(), threading.Event()
        self._lifecycle: int | None = None
        # After a hang-up, until `read` knows whether the domain stopped or the console was taken.
        self._settled = threading.Event()
        self._settled.set()
        self._taken: str | None = None
        self._typing_from = 0.0

    # -- opening ------------------------------------------------------------------------------
    def open(self) -> None:
        self._libvirt = libvirt_module()
        self._connection, self._domain = open_domain(self.description)
        self._lifecycle = self._connection.domainEventRegisterAny(
            self._domain, self._libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self._on_lifecycle, None)
        if not self._domain.isActive():
            return  # powered off: silent until it starts (see `read`)
        self.attach(force=self.take_over)

    def attach(self, *, force: bool = False) -> None:
        """Open the console stream of the running domain (again, after it started)."""
        with self._lock:
            if self._stream is None:
                self._attach(force)

    def _attach(self, force: bool) -> None:
        libvirt = self._libvirt
        stream = self._connection.newStream(libvirt.VIR_STREAM_NONBLOCK)
        flags = libvirt.VIR_DOMAIN_CONSOLE_FORCE if force else 0
        try:
            self._domain.openConsole(None, stream, flags)
        except libvirt.libvirtError as err:
            with contextlib.suppress(libvirt.libvirtError):
                stream.abort()
            message = err.get_error_message()
            if HELD in message:
                raise ConsoleError(f"another client holds the console of {self.domain_name} "
                                   "(virsh console?): %connect --take-over takes it, and that "
                                   "client is disconnected") from None
            raise ConsoleError(f"cannot open the console of {self.domain_name}: {message}") from None
        events = (libvirt.VIR_STREAM_EVENT_READABLE | libvirt.VIR_STREAM_EVENT_ERROR
                  | libvirt.VIR_STREAM_EVENT_HANGUP)
        stream.eventAddCallback(events, self._on_stream_event, None)
        self._stream = stream
        self._typing_from = time.monotonic() + PTY_NOTICES

    def _on_stream_event(self, stream: Any, events: int, _opaque: object) -> None:
        """On libvirt's event thread: move what arrived into the queue that `read` takes from."""
        libvirt = self._libvirt
        try:
            while events & libvirt.VIR_STREAM_EVENT_READABLE:
                data = stream.recv(65536)
                if data == -2:  # drained
                    break
                if not data:
                    raise EOFError
                self._incoming.put(bytes(data))
                self._typing_from = 0.0  # QEMU sees us: see PTY_NOTICES
            if events & (libvirt.VIR_STREAM_EVENT_ERROR | libvirt.VIR_STREAM_EVENT_HANGUP):
                raise EOFError
        except (EOFError, libvirt.libvirtError):
            # Left registered, a dead stream fires on every turn of the loop: let go of it.
            self._settled.clear()
            self._detach(stream)
            self._incoming.put(_HungUp())

    def _on_lifecycle(self, _connection: Any, _domain: Any, event: int, _detail: int,
                      _opaque: object) -> None:
        if event == self._libvirt.VIR_DOMAIN_EVENT_STARTED:
            self._stopped.clear()
            self._started.set()
        elif event == self._libvirt.VIR_DOMAIN_EVENT_STOPPED:
            self._started.clear()
            self._stopped.set()

    def _detach(self, stream: Any) -> None:
        with self._lock:
            if self._stream is stream:
                self._stream = None
        with contextlib.suppress(Exception):  # already gone with the domain
            stream.eventRemoveCallback()
        with contextlib.suppress(Exception):
            stream.abort()

    # -- reading and writing --------------------------------------------------------------------
    def read(self, timeout: float) -> bytes:
        if self._closed:
            raise TransportClosed(f"{self.description} is closed")
        try:
            data = self._incoming.take(timeout)
        except _HungUp:
            try:
                self._stream_ended()
            finally:
                self._settled.set()
            return b""
        if not data and self._stream is None and self._started.is_set():
            self._attach_started()
        return data

    def _stream_ended(self) -> None:
        """The stream hung up: the domain stopped (silence until it starts again), or another
        client forced the console away from us.  The hang-up can come before the domain's
        STOPPED event (destroy takes 1-2 s): the event decides."""
        if self._stopped.wait(STOPPED_WITHIN):
            return
        try:
            active = self._domain.isActive()
        except self._libvirt.libvirtError as err:
            raise TransportClosed(f"lost libvirt at {self.uri}: {err.get_error_message()}") from None
        if active:
            self._taken = f"another client took over the console of {self.domain_name}"
            raise TakenOver(self._taken)

    def _attach_started(self) -> None:
        self._started.clear()
        with contextlib.suppress(self._libvirt.libvirtError, ConsoleError):
            if self._domain.isActive():
                self.attach()

    def write(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None:
        libvirt = self._libvirt
        early = self._typing_from - time.monotonic()
        if early > 0:  # QEMU has not looked for us yet (PTY_NOTICES); an interrupt ends the wait
            (abort or threading.Event()).wait(early)

        def send_some(chunk: memoryview) -> int:
            stream = self._stream
            if stream is None and self._settled.wait(STOPPED_WITHIN + 1) and self._taken:
                raise TakenOver(self._taken)
            if stream is None:
                raise ConsoleError(f"{self.domain_name} is powered off: nothing to type into "
                                   "(%power on starts it)")
            sent = stream.send(bytes(chunk))
            return 0 if sent == -2 else sent

        def writable(seconds: float) -> bool:
            time.sleep(min(seconds, 0.01))  # libvirt streams have no "writable" to wait on
            return True

        try:
            write_all(data, send_some, writable, timeout, abort)
        except libvirt.libvirtError as err:
            raise TransportClosed(f"the console of {self.domain_name}: {err.get_error_message()}") from None

    def send_break(self) -> None:
        raise UnsupportedAction("libvirt has no way to send a serial BREAK; %sysrq KEY sends "
                                "Alt+SysRq+KEY through the domain's keyboard instead")

    def close(self) -> None:
        self._closed = True
        stream = self._stream
        if stream is not None:
            self._detach(stream)
            with contextlib.suppress(Exception):
                stream.finish()
        connection, self._connection = self._connection, None
        if connection is not None and self._lifecycle is not None:
            with contextlib.suppress(Exception):
                connection.domainEventDeregisterAny(self._lifecycle)
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

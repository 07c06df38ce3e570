"""`ipmi://USER@HOST[:PORT]`: a server's console through its BMC, IPMI 2.0 Serial-over-LAN
(what `ipmitool -I lanplus sol activate` does), through pyghmi.

The password never goes in the URL (a cell's source is saved in the notebook): it is read from
IPMI_PASSWORD, as `ipmitool -E` reads it, or from the variable named by `?password_env=VAR`.

pyghmi delivers a session's packets through callbacks, run by whichever thread waits on it, and
two threads waiting on one session deadlock: every pyghmi call of this process runs on one
thread (`on_pyghmi_thread`), which pumps the sessions between calls.  The power backend for
the same BMC and user shares the console's session, as pyghmi means it to.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from ..errors import ConsoleError, TakenOver, TransportClosed, WriteStopped
from .base import Inbox

INSTALL = "ipmi targets need pyghmi: pip install 'serial-console-kernel[ipmi]'"
DEFAULT_PORT = 623
PASSWORD_VARIABLE = "IPMI_PASSWORD"
ACTIVATE_WITHIN = 20.0  # seconds for login and SOL activation (a busy BMC takes a few)
# The first keystroke after activation is sometimes lost (BMCs and ipmi_sim alike): Enter is
# pressed until the console answers, at connect, when the machine is on.
WAKE_TRIES, WAKE_WAIT = 3, 1.0
# How often an open SOL console asks the BMC whether SOL is still its own: ipmi_sim (and other
# BMCs) tell a client nothing when another takes SOL over, and pyghmi notices only after its
# retries of the next keystroke (about 12 s).
WATCH_EVERY = 2.0
# What pyghmi reports when another client took SOL from us (its keepalive or the BMC's NACK).
TAKEN = ("SOL deactivated", "Remote IPMI console disconnected")
T = TypeVar("T")


def pyghmi() -> Any:
    try:
        from pyghmi import exceptions
        from pyghmi.ipmi import command, console
    except ImportError:
        raise ConsoleError(INSTALL) from None
    return SimpleNamespace(command=command, console=console, exceptions=exceptions)


class _PyghmiThread:
    """The one thread that makes pyghmi calls and pumps its sessions."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], concurrent.futures.Future]] = queue.Queue()
        self.sessions = 0  # open consoles and backends: pump only while there are some
        self.watchers: set[Callable[[], None]] = set()  # run every WATCH_EVERY seconds
        self._watched = time.monotonic()
        threading.Thread(target=self._run, name="pyghmi", daemon=True).start()

    def call(self, job: Callable[[], T], timeout: float) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((job, future))
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ConsoleError(f"the BMC did not answer within {timeout:g} s") from None

    def _run(self) -> None:
        console = None
        while True:
            try:
                job, future = self._jobs.get(timeout=0.02 if self.sessions else 0.5)
            except queue.Empty:
                if self.sessions:
                    console = console or pyghmi().console
                    with contextlib.suppress(Exception):  # a session's error reaches its handler
                        console.Console.wait_for_rsp(0.03)
                if time.monotonic() - self._watched >= WATCH_EVERY:
                    self._watched = time.monotonic()
                    for watcher in list(self.watchers):
                        watcher()
                continue
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(job())
                except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
                    future.set_exception(err)


_thread: _PyghmiThread | None = None
_thread_lock = threading.Lock()


def on_pyghmi_thread(job: Callable[[], T], timeout: float = 30.0) -> T:
    global _thread
    pyghmi()  # a missing pyghmi is said here, in the caller's words
    with _thread_lock:
        if _thread is None:
            _thread = _PyghmiThread()
    return _thread.call(job, timeout)


_users: collections.Counter[tuple[str, int, str]] = collections.Counter()


def session_opened(bmc: BmcAddress) -> None:
    """On the pyghmi thread: a console or a backend uses the session of BMC's user."""
    assert _thread is not None
    _users[bmc.key] += 1
    _thread.sessions += 1


def session_closed(bmc: BmcAddress, session: Any) -> None:
    """On the pyghmi thread: log out when the last user of the session leaves."""
    assert _thread is not None
    _users[bmc.key] -= 1
    _thread.sessions -= 1
    if _users[bmc.key] <= 0 and session is not None:
        del _users[bmc.key]
        with contextlib.suppress(Exception):  # a BMC that is gone has no session to end
            session.logout()
        # pyghmi keeps every session it made among those "logging in", by its login arguments,
        # and hands a logged-out one to the next login of the same user, which then waits
        # forever (pyghmi 1.6 forgets only a broken session): forget it here.
        with contextlib.suppress(Exception):
            type(session).initting_sessions.pop((bmc.host, bmc.user, bmc.password, bmc.port, None), None)


def console_class() -> type:
    """pyghmi's Console, which keeps its session for the logout: pyghmi's own forgets it on an
    error (SOL held by another client), and the session, left logged in, is handed to the next
    console of this process, which then never activates (measured)."""

    class KeepingConsole(pyghmi().console.Console):  # type: ignore[misc]
        kept_session: Any = None

        def _print_error(self, error: object) -> None:
            self.kept_session = self.ipmi_session or self.kept_session
            super()._print_error(error)

    return KeepingConsole


# IPMI's Chassis netfn (0): Get Chassis Status and Chassis Control, with its control codes.
CHASSIS, GET_STATUS, CONTROL = 0x00, 0x01, 0x02
CONTROL_CODES = {"power_off": 0, "power_on": 1, "power_cycle": 2, "reset": 3, "nmi": 4}


def chassis(session: Any, control: str | None = None) -> str:
    """On the pyghmi thread, through a logged-in session (the console's, or a backend's own):
    "on"/"off" without `control`; else sends it.  Raises ConsoleError with the BMC's refusal.
    Raw commands on the session, not pyghmi's Command: a second Command login on the session
    a console holds never completes (measured)."""
    if control is None:
        answer = session.raw_command(netfn=CHASSIS, command=GET_STATUS)
    else:
        answer = session.raw_command(netfn=CHASSIS, command=CONTROL, data=(CONTROL_CODES[control],))
    if answer.get("error") or answer.get("code"):
        raise ConsoleError(str(answer.get("error") or f"completion code {answer['code']:#x}"))
    return "" if control else ("on" if answer["data"][0] & 1 else "off")


class BmcAddress:
    """USER, HOST, PORT and the password of an ipmi:// URL."""

    def __init__(self, url: str, environ: Mapping[str, str]) -> None:
        parts = urlsplit(url)
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            port = 0
        if parts.password is not None:
            raise ConsoleError("no password in an ipmi:// URL (the notebook would keep it): "
                               f"put it in {PASSWORD_VARIABLE} and write ipmi://USER@HOST")
        if parts.scheme != "ipmi" or not parts.hostname or not parts.username or not port:
            raise ConsoleError(f"bad ipmi target {url!r}: write ipmi://USER@HOST[:PORT], with "
                               f"the password in {PASSWORD_VARIABLE}")
        variable = parse_qs(parts.query).get("password_env", [PASSWORD_VARIABLE])[0]
        password = environ.get(variable)
        if not password:
            raise ConsoleError(f"{variable} is not set: the BMC password for {parts.username} "
                               "goes there (as for ipmitool -E)")
        self.user, self.host, self.port, self.password = parts.username, parts.hostname, port, password
        self.key = (self.host, self.port, self.user)
        self.shown = f"ipmi://{self.user}@{self.host}" + (f":{port}" if port != DEFAULT_PORT else "")


class IpmiSolTransport:
    can_break = True  # SOL carries a BREAK (so %sysrq works on the line)
    reconnects = True  # a BMC's network blips: activate again

    def __init__(self, target: str, *, baud: int = 0, take_over: bool = False,
                 environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        self.bmc = BmcAddress(target, self.environ)
        self.description = self.bmc.shown
        self.default_power = target  # chassis power through the same BMC
        self.take_over = take_over
        self._incoming = Inbox()
        self._said = threading.Event()  # pyghmi reported on the session: see `open`
        self._console: Any = None
        self._received = threading.Event()
        self._ended: TransportClosed | None = None  # what pyghmi said when the session ended
        self._closed = False

    # -- opening --------------------------------------------------------------------------------
    def open(self) -> None:
        bmc = self.bmc

        def activate() -> Any:
            session_opened(bmc)
            return console_class()(bmc.host, bmc.user, bmc.password, iohandler=self._on_output,
                                   port=bmc.port, force=self.take_over)

        self._console = on_pyghmi_thread(activate)
        deadline = time.monotonic() + ACTIVATE_WITHIN
        while not self._console.connected:
            if self._ended is not None:
                self.close()
                raise ConsoleError(self._refusal(str(self._ended).removeprefix(f"{self.description}: ")))
            if time.monotonic() > deadline:
                self.close()
                raise ConsoleError(f"{self.description}: SOL was not activated within "
                                   f"{ACTIVATE_WITHIN:g} s")
            self._said.wait(0.1)  # pyghmi sets `connected` without telling: look again soon
        watchers = _thread.watchers if _thread is not None else set()
        watchers.add(self._watch)
        self._wake()

    def _refusal(self, error: str) -> str:
        if "another client" in error:
            return (f"another client holds the SOL console of {self.description} (one SOL "
                    "session per BMC): %connect --take-over takes it, and that client is "
                    "disconnected")
        if error == "timeout":
            return (f"no answer from {self.description} (UDP port {self.bmc.port}): is the BMC "
                    "reachable, with IPMI over LAN enabled?")
        return f"{self.description} refused: {error}"

    def _wake(self) -> None:
        """Press Enter until the console answers (WAKE_TRIES), when the machine is on."""
        console = self._console
        if on_pyghmi_thread(lambda: chassis(console.ipmi_session)) != "on":
            return
        for _ in range(WAKE_TRIES):
            self.write(b"\r", timeout=5)
            if self._received.wait(WAKE_WAIT):
                return

    def _on_output(self, data: bytes | dict) -> None:
        """On the pyghmi thread: console bytes, or pyghmi's word on the session."""
        if isinstance(data, dict):
            if "error" in data:
                error = str(data["error"])
                self._ended = (TakenOver(f"another client took over the SOL console of "
                                         f"{self.description}") if error in TAKEN or self._lost_sol()
                               else TransportClosed(f"{self.description}: {error}"))
                self._incoming.put(self._ended)
                self._said.set()
            return  # {'info': "Remote system is powered down"}: the silence says it
        self._received.set()
        self._incoming.put(bytes(data))

    def _watch(self) -> None:
        """On the pyghmi thread, every WATCH_EVERY seconds: SOL taken from us is reported now."""
        console = self._console
        if console is None or console.broken or not console.connected or self._ended is not None:
            return
        if self._lost_sol():
            self._ended = TakenOver(f"another client took over the SOL console of {self.description}")
            console.broken = True  # pyghmi's own: no more sending on a session that is not ours
            self._incoming.put(self._ended)

    @property
    def session(self) -> Any:
        """The console's logged-in pyghmi session (the power backend's too), or None."""
        console = self._console
        return None if console is None or console.broken else console.ipmi_session

    def _lost_sol(self) -> bool:
        """On the pyghmi thread, after an error: whether SOL is no longer ours (another client
        deactivated it: ipmi_sim then just stops acknowledging, and pyghmi says "Connection
        lost").  Get Payload Activation Status names the session that holds it."""
        console = self._console
        session = console and (console.ipmi_session or console.kept_session)
        if session is None or not getattr(session, "logged", False):
            return False
        try:
            answer = session.raw_command(netfn=6, command=0x4B, data=(1, 1))
            owner = int.from_bytes(bytes(answer["data"][:4]), "little")
        except Exception:  # noqa: BLE001 - no answer: the network, not another client
            return False
        return owner != session.sessionid

    # -- reading and writing --------------------------------------------------------------------
    def read(self, timeout: float) -> bytes:
        if self._closed:
            raise TransportClosed(f"{self.description} is closed")
        return self._incoming.take(timeout)

    def write(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None:
        console = self._console
        if console is None or self._closed:
            raise TransportClosed(f"{self.description} is closed")
        # send_data returns once the BMC acknowledged the data (pyghmi retries on its own).
        on_pyghmi_thread(lambda: console.send_data(data), timeout or 60.0)
        if console.broken:
            raise self._ended or WriteStopped(f"{self.description}: the SOL session broke while "
                                              "typing", 0, len(data))

    def send_break(self) -> None:
        console = self._console
        if console is not None:
            on_pyghmi_thread(console.send_break, 10)

    def close(self) -> None:
        """Deactivate SOL and log out: a BMC has few sessions, and a SOL session left active
        can wedge it."""
        console, self._console = self._console, None
        if console is None or self._closed:
            return
        self._closed = True

        def deactivate() -> None:
            if _thread is not None:
                _thread.watchers.discard(self._watch)
            console.close()
            session_closed(self.bmc, console.ipmi_session or console.kept_session)

        with contextlib.suppress(ConsoleError):
            on_pyghmi_thread(deactivate, 10)

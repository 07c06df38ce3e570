"""`serial-console sim`: serve a simulated machine's console over TCP, like a real console server.

The console port is raw TCP (telnet, picocom, pyserial socket://, our kernel).  The newest client
takes the console over; the previous one is told and disconnected, as on Azure.  A client that
stops reading is dropped, never waited for; input beyond what a UART's buffer holds is dropped
as an overrun would.  A second port takes JSON lines for power actions: {"action": "nmi"},
{"action": "sysrq", "key": "h"}, {"action": "health"}.
"""

from __future__ import annotations

import json
import queue
import socket
import threading

from ..errors import ConsoleError
from ..power.base import ACTIONS as POWER_ACTIONS
from ..transports.base import write_to_socket
from ..transports.tcp_socket import close_socket
from . import Simulation

TAKEN_OVER = b"\r\n[serial-console sim] another client connected and took over this console.\r\n"
TOOK_OVER = b"\r\n[serial-console sim] this console was in use: the other client was disconnected.\r\n"
CONSOLE_GRACE = 2.0  # seconds a control request waits for a console client being accepted
BEHIND_LIMIT = 1 << 20  # bytes a client may fall behind before it is dropped
INPUT_BACKLOG = 16384  # bytes typed and not yet taken by the machine; more is an overrun
GOODBYE_TIMEOUT = 2.0  # seconds to tell a client it was taken over
ACTIONS = (*POWER_ACTIONS, "health")


def parse_address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"bad address {text!r}: write HOST:PORT, e.g. 127.0.0.1:2323")
    return host, int(port)


def bind(address: tuple[str, int]) -> socket.socket:
    try:
        return socket.create_server(address, reuse_port=False)
    except OSError as err:
        if err.errno == 98:
            raise ValueError(f"{address[0]}:{address[1]} is in use: choose another port") from None
        raise ValueError(f"cannot listen on {address[0]}:{address[1]}: {err.strerror}") from None


class Client:
    """One console client: what the machine prints goes out on its own thread, so a client
    that stops reading holds up nobody; past BEHIND_LIMIT it is dropped."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._behind = 0
        self._lock = threading.Lock()
        self._give_up = threading.Event()
        threading.Thread(target=self._write, daemon=True).start()

    def send(self, data: bytes) -> bool:
        """Queue `data`; False when the client is too far behind (then drop it)."""
        with self._lock:
            if self._behind + len(data) > BEHIND_LIMIT:
                return False
            self._behind += len(data)
        self._queue.put(data)
        return True

    def close(self, last_words: bytes = b"") -> None:
        """Send `last_words` (for at most GOODBYE_TIMEOUT), then disconnect."""
        if last_words:
            self._queue.put(last_words)
        self._queue.put(None)
        timer = threading.Timer(GOODBYE_TIMEOUT if last_words else 0, self._give_up.set)
        timer.daemon = True
        timer.start()

    def _write(self) -> None:
        while (data := self._queue.get()) is not None:
            try:
                write_to_socket(self.sock, data, None, self._give_up)
            except (OSError, ValueError, ConsoleError):
                break
            with self._lock:
                self._behind -= len(data)
        close_socket(self.sock)


class ConsoleServer:
    def __init__(self, simulation: Simulation, console: tuple[str, int],
                 control: tuple[str, int] | None) -> None:
        self.simulation = simulation
        self.console_socket = bind(console)
        self.control_socket = bind(control) if control else None
        self._client: Client | None = None
        self._backlog = 0  # bytes typed that the machine has not taken yet
        self.overruns = 0  # bytes dropped because the machine was that far behind
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._started = threading.Event()

    @property
    def addresses(self) -> str:
        host, port = self.console_socket.getsockname()[:2]
        text = f"console {host}:{port}"
        if self.control_socket is not None:
            chost, cport = self.control_socket.getsockname()[:2]
            text += f" control {chost}:{cport}"
        return text

    def serve_forever(self) -> None:
        self.simulation.attach(self._to_client)
        if self.control_socket is not None:
            threading.Thread(target=self._accept_control, daemon=True).start()
        self._accept_console()

    def stop(self) -> None:
        self._stopping.set()
        for sock in (self.console_socket, self.control_socket):
            if sock is not None:
                close_socket(sock)
        if self._client is not None:
            self._client.close()
        self.simulation.stop()

    # -- the console ------------------------------------------------------------------------------
    def _to_client(self, data: bytes) -> None:
        with self._lock:
            client = self._client
        if client is None:
            return  # like a real serial port: nobody listening, the bytes are gone
        if not client.send(data):
            self._drop(client)  # it stopped reading: the machine does not wait for it

    def _drop(self, client: Client, last_words: bytes = b"") -> None:
        with self._lock:
            if self._client is client:
                self._client = None
        client.close(last_words)

    def _accept_console(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self.console_socket.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client = Client(sock)
            with self._lock:
                previous, self._client = self._client, client
            if not self._started.is_set():
                # Power on when the first client is there to see the boot (QEMU's -S, in effect).
                self.simulation.start()
                self._started.set()
            if previous is not None:
                previous.close(TAKEN_OVER)  # told, then disconnected: it can type no more
                client.send(TOOK_OVER)  # and the new holder is told too, as on Azure
            threading.Thread(target=self._read_client, args=(client,), daemon=True).start()

    def _read_client(self, client: Client) -> None:
        while True:
            try:
                data = client.sock.recv(4096)
            except OSError:
                data = b""
            with self._lock:
                current = self._client is client
            if not data or not current:
                return self._drop(client)
            self._type(data)

    def _type(self, data: bytes) -> None:
        with self._lock:
            room = INPUT_BACKLOG - self._backlog
            if len(data) > room:
                self.overruns += len(data) - max(room, 0)
                data = data[:max(room, 0)]
            self._backlog += len(data)
        if data:
            self.simulation.type(data, done=lambda: self._taken(len(data)))

    def _taken(self, count: int) -> None:
        with self._lock:
            self._backlog -= count

    # -- the control channel --------------------------------------------------------------------
    def _accept_control(self) -> None:
        listener = self.control_socket
        assert listener is not None, "started with a control port"
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve_control, args=(client,), daemon=True).start()

    def _serve_control(self, client: socket.socket) -> None:
        with client, client.makefile("rwb") as stream:
            for raw in stream:
                reply = self.handle(raw)
                stream.write(json.dumps(reply).encode() + b"\n")
                stream.flush()

    def handle(self, raw: bytes) -> dict:
        try:
            request = json.loads(raw)
            action = request["action"]
        except (ValueError, KeyError, TypeError):
            return {"ok": False, "error": 'send one JSON object a line: {"action": "nmi"}'}
        if action not in ACTIONS:
            return {"ok": False, "error": f"unknown action {action!r}; actions: {', '.join(ACTIONS)}"}
        try:
            # A console client whose connect() returned may not be accepted yet: give it a moment.
            if not self._started.wait(CONSOLE_GRACE):
                return {"ok": False, "error": "the machine powers on when a console client connects"}
            if action == "health":
                return {"ok": True, "result": self.simulation.health()}
            return {"ok": True, "result": self.simulation.control(action, str(request.get("key", "")))}
        except Exception as err:  # noqa: BLE001 - every failure is an answer, never a dead server
            return {"ok": False, "error": str(err)}

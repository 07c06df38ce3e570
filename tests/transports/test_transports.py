"""Each transport against a real peer: a pty device, a TCP server process, a shell, loop://."""

from __future__ import annotations

import os
import socket
import threading
import tty
from pathlib import Path

import pytest
import serial

import serial_console_kernel
from serial_console_kernel.errors import ConsoleError, TransportClosed, UnsupportedAction
from serial_console_kernel.transports import known_schemes, open_transport

kernel_package = Path(serial_console_kernel.__file__).parent


def read_until(transport, needle: bytes, limit: int = 40) -> bytes:
    data = b""
    for _ in range(limit):
        data += transport.read(0.25)
        if needle in data:
            return data
    raise AssertionError(f"{needle!r} not in {data!r}")


def test_loop_url_echoes():
    transport = open_transport("loop://")
    transport.write(b"ping")
    assert read_until(transport, b"ping") == b"ping"
    with pytest.raises(UnsupportedAction):
        transport.send_break()
    transport.close()


def test_socket_keeps_what_the_server_sent_before_the_first_read(tcp_console):
    transport = open_transport(tcp_console)
    assert read_until(transport, b"login: ").startswith(b"tcp-console ready")
    transport.close()


def test_telnet_framing_is_stripped_and_ff_doubled():
    server = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve():
        client, _ = server.accept()
        client.sendall(b"\xff\xfb\x01\xff\xfb\x03hello \xff\xff\xff\xfa\x18\x01\xff\xf0world")
        # The data and the BREAK may come in one segment or two: read until all six bytes.
        while sum(map(len, received)) < 6 and (chunk := client.recv(100)):
            received.append(chunk)
        client.close()

    thread = threading.Thread(target=serve)
    thread.start()
    transport = open_transport(f"telnet://127.0.0.1:{server.getsockname()[1]}")
    assert read_until(transport, b"world") == b"hello \xffworld"
    transport.write(b"a\xffb")
    transport.send_break()
    thread.join(5)
    assert b"".join(received) == b"a\xff\xffb\xff\xf3"
    transport.close()
    server.close()


def test_exec_reports_the_exit_status():
    transport = open_transport("exec:sh -c 'echo out; exit 7'")
    with pytest.raises(TransportClosed, match="exited with status 7"):
        for _ in range(40):
            transport.read(0.25)
    transport.close()


def test_a_device_in_use_is_refused_with_a_clear_error():
    leader, follower = os.openpty()
    tty.setraw(follower)
    path = os.ttyname(follower)
    first = open_transport(path, baud=115200)
    try:
        with pytest.raises(ConsoleError, match="in use"):
            open_transport(path)
        os.write(leader, b"from the device")
        assert read_until(first, b"device") == b"from the device"
    finally:
        first.close()
        os.close(leader)
        os.close(follower)


@pytest.mark.parametrize("target, message", [
    ("socket://127.0.0.1:1", "connection refused"),
    ("socket://nohost", "bad target"),
    ("/dev/ttyNOPE0", "no such device"),
    ("gopher://x", "unknown target scheme"),
    ("exec:", "needs a command"),
])
def test_bad_targets(target, message):
    with pytest.raises(ConsoleError, match=message):
        open_transport(target)


def test_a_package_adds_a_transport_through_the_entry_point_group(tmp_path, monkeypatch):
    # As an installed plugin would: a module, and its distribution's entry point.
    (tmp_path / "echo_transport.py").write_text(
        "class EchoTransport:\n"
        "    can_break = False\n"
        "    def __init__(self, target, baud=0):\n"
        "        self.description, self.baud, self.pending = target, baud, b''\n"
        "    def open(self): self.pending = b'echo transport ready\\r\\n'\n"
        "    def read(self, timeout):\n"
        "        data, self.pending = self.pending, b''\n"
        "        return data\n"
        "    def write(self, data, timeout=None, abort=None): self.pending += data\n"
        "    def close(self): pass\n"
        "    def send_break(self): pass\n")
    info = tmp_path / "echo_transport-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-transport\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[serial_console_kernel.transports]\necho = echo_transport:EchoTransport\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    transport = open_transport("echo://anything", baud=9600)
    assert type(transport).__name__ == "EchoTransport" and transport.baud == 9600
    assert "echo" in known_schemes()
    transport.write(b"hi")
    assert read_until(transport, b"hi").startswith(b"echo transport ready")


def test_pyserial_extension_schemes_are_pyserials_to_open(tmp_path, monkeypatch):
    # pyserial's own open registry: a package in serial.protocol_handler_packages.
    package = tmp_path / "more_handlers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "protocol_fancy.py").write_text(
        "from serial.urlhandler.protocol_loop import Serial as LoopSerial\n"
        "class Serial(LoopSerial):\n"
        "    def from_url(self, url):\n"
        "        return super().from_url(url.replace('fancy://', 'loop://'))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(serial, "protocol_handler_packages", [*serial.protocol_handler_packages,
                                                              "more_handlers"])
    transport = open_transport("fancy://")
    try:
        transport.write(b"ping")
        assert read_until(transport, b"ping") == b"ping"
    finally:
        transport.close()


def test_a_target_brings_its_defaults_and_the_kernel_never_names_a_scheme():
    from serial_console_kernel.transports.base import default

    windows, loop = open_transport("sim:windows"), open_transport("loop://")
    try:
        assert (default(windows, "default_keys"), default(windows, "default_power")) == ("ems", "sim")
        assert default(windows, "default_password")
        assert (default(loop, "default_keys"), default(loop, "default_power"),
                default(loop, "default_password")) == ("xterm", None, None)
    finally:
        windows.close()
        loop.close()
    above_transports = [kernel_package / "target.py", *(kernel_package / "jupyter").rglob("*.py")]
    assert not [path.name for path in above_transports if '"sim:' in path.read_text()]


def test_an_inbox_joins_what_arrived_and_raises_what_ended_it_after_the_bytes():
    from serial_console_kernel.transports.base import Inbox

    inbox = Inbox()
    assert inbox.take(0.01) == b""
    for chunk in (b"e", b"cho", b" hi\r\n"):
        inbox.put(chunk)
    inbox.put(TransportClosed("gone"))
    assert inbox.take(0.01) == b"echo hi\r\n"  # one read for a burst of small callbacks
    with pytest.raises(TransportClosed, match="gone"):
        inbox.take(0.01)

"""Each transport against a real peer: a pty device, a TCP server process, a shell, loop://."""

from __future__ import annotations

import os
import socket
import threading
import tty

import pytest

from serial_console_kernel.errors import ConsoleError, TransportClosed, UnsupportedAction
from serial_console_kernel.transports import open_transport


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
        received.append(client.recv(100))
        received.append(client.recv(100))
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

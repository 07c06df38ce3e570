"""`serial-console sim` as its own process, driven by real clients: pyserial socket:// in a
subprocess, a raw socket for the takeover, and the JSON-lines control channel."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from helpers.processes import stop_process

COMMAND = str(Path(sys.executable).parent / "serial-console")


@pytest.fixture
def server():
    process = subprocess.Popen([COMMAND, "sim", "windows", "--scenario", "rdp-disabled",
                                "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        banner = process.stdout.readline().split()
        console = banner[banner.index("console") + 1]
        control = banner[banner.index("control") + 1]
        yield console, control
    finally:
        stop_process(process)


def control(address: str, request: dict) -> dict:
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock, sock.makefile("rwb") as f:
        f.write(json.dumps(request).encode() + b"\n")
        f.flush()
        return json.loads(f.readline())


def read_until(sock: socket.socket, needle: bytes, limit: float = 10) -> bytes:
    sock.settimeout(limit)
    data = b""
    while needle not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_pyserial_client_in_a_subprocess_sees_sac(server):
    console, _ = server
    script = textwrap.dedent(f"""
        import serial, time
        port = serial.serial_for_url("socket://{console}", timeout=0.5)
        data = b""
        deadline = time.time() + 10
        while b"CMD command is now available" not in data and time.time() < deadline:
            data += port.read(4096)
        port.write(b"id\\r")
        while b"Computer Name" not in data and time.time() < deadline:
            data += port.read(4096)
        print(data.decode(errors="replace"))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert "Computer is booting, SAC started and initialized." in result.stdout
    assert "Computer Name: WINSRV-SIM01" in result.stdout


def test_control_channel_actions_and_errors(server):
    console, control_address = server
    with socket.create_connection(tuple_of(console)) as client:
        read_until(client, b"SAC>")
        health = control(control_address, {"action": "health"})
        assert health["ok"] and health["result"]["checks"]["rdp_enabled"] is False
        assert control(control_address, {"action": "sysrq", "key": "h"}) == {
            "ok": False, "error": "You can only send a SysRq to a Linux VM."}
        assert control(control_address, {"action": "dance"})["ok"] is False
        assert control(control_address, {"action": "nmi"}) == {"ok": True, "result": "NMI sent"}
        assert b"!SAC>" in read_until(client, b"!SAC>")


def test_the_second_client_takes_over_and_the_first_is_told(server):
    console, _ = server
    first = socket.create_connection(tuple_of(console))
    read_until(first, b"SAC>")
    second = socket.create_connection(tuple_of(console))
    assert b"took over this console" in read_until(first, b"took over")
    second.sendall(b"\x00\xff\xfe garbage \x1b[A\r")
    second.sendall(b"id\r")
    assert b"Computer Name" in read_until(second, b"Computer Name")
    # The first is disconnected: it reads the end of the stream, and what it types goes nowhere.
    first.settimeout(10)
    assert first.recv(4096) == b""
    with contextlib.suppress(OSError):
        first.sendall(b"cmd\r")
    second.sendall(b"ch\r")
    assert b"Cmd0001" not in read_until(second, b"SAC>", limit=2)
    first.close()
    second.close()


def test_a_client_that_stops_reading_is_dropped_and_junk_is_bounded(server):
    console, control_address = server
    stalled = socket.create_connection(tuple_of(console))
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    read_until(stalled, b"SAC>")
    # It never reads again, while the machine prints megabytes (1 MB of junk is echoed too).
    stalled.sendall(b"x" * (1 << 20))
    started = time.monotonic()
    for _ in range(40):
        assert control(control_address, {"action": "health"})["ok"]
    assert time.monotonic() - started < 10  # the machine never waited for the stalled client
    fresh = socket.create_connection(tuple_of(console))
    fresh.sendall(b"\r")
    assert b"SAC>" in read_until(fresh, b"SAC>")
    stalled.close()
    fresh.close()


def test_busy_port_is_a_one_line_error(server):
    console, _ = server
    result = subprocess.run([COMMAND, "sim", "--listen", console], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == f"serial-console sim: {console} is in use: choose another port"


def test_a_control_request_waits_for_the_console_client_being_accepted(monkeypatch):
    # connect() returns before the server accepts: a control request right after it must not
    # be refused because the machine has not powered on yet (this raced in CI).
    from serial_console_kernel.simulator import Simulation
    from serial_console_kernel.simulator import server as server_module

    machine = server_module.ConsoleServer(Simulation("linux"), ("127.0.0.1", 0), None)
    try:
        monkeypatch.setattr(server_module, "CONSOLE_GRACE", 0.05)
        assert machine.handle(b'{"action": "status"}') == {
            "ok": False, "error": "the machine powers on when a console client connects"}
        monkeypatch.setattr(server_module, "CONSOLE_GRACE", 10)
        client = socket.create_connection(machine.console_socket.getsockname()[:2])
        replies = []
        asking = threading.Thread(target=lambda: replies.append(
            machine.handle(b'{"action": "status"}')))
        asking.start()
        threading.Thread(target=machine.serve_forever, daemon=True).start()
        asking.join(timeout=10)
        assert replies == [{"ok": True, "result": "running"}]
        client.close()
    finally:
        machine.stop()


def tuple_of(address: str) -> tuple[str, int]:
    host, port = address.rsplit(":", 1)
    return host, int(port)


def test_sigterm_stops_the_server():
    # The server used to miss SIGTERM at times under load (a Python handler interrupting
    # accept()); now its main thread waits for the signal and nothing else.
    for _ in range(5):
        process = subprocess.Popen([COMMAND, "sim", "linux", "--listen", "127.0.0.1:0"],
                                   stdout=subprocess.PIPE, text=True, start_new_session=True)
        try:
            words = process.stdout.readline().split()
            console, control_address = words[words.index("console") + 1], words[words.index("control") + 1]
            with socket.create_connection(tuple_of(console)) as client:
                assert control(control_address, {"action": "nmi"})["ok"]
                client.sendall(b"\r")
            # The client has gone; the machine goes on printing to nobody.
            os.killpg(process.pid, signal.SIGTERM)
            assert process.wait(timeout=10) == 0  # stopped by SIGTERM, not killed
        finally:
            stop_process(process)

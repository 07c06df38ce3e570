"""Power backends against real peers: shell commands, the simulator's control channel (in-process
and over TCP from its own process), BREAK on a telnet line."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from helpers.processes import stop_process
from serial_console_kernel.errors import ConsoleError, UnsupportedAction
from serial_console_kernel.power import open_power
from serial_console_kernel.transports import open_transport


def run(coroutine):
    return asyncio.run(coroutine)


def test_cmd_backend_runs_the_command_for_each_action(tmp_path):
    marker = tmp_path / "nmi-was-sent"
    backend = open_power(f"cmd:nmi=touch {marker} && echo injected;reset=exit 3")
    assert backend.actions == {"nmi", "reset"}
    assert run(backend.run("nmi")) == "injected"
    assert marker.exists()
    with pytest.raises(ConsoleError, match="reset command failed with status 3"):
        run(backend.run("reset"))
    with pytest.raises(UnsupportedAction, match="it supports: nmi, reset"):
        run(backend.run("power_off"))


def test_cmd_backend_passes_the_sysrq_key():
    backend = open_power("cmd:sysrq=echo key={key}")
    assert run(backend.run("sysrq", "h")) == "key=h"


@pytest.mark.parametrize("spec", ["cmd:frob=true", "cmd:nmi", "nonsense", "sim:nohost"])
def test_bad_specs_are_clear_errors(spec):
    with pytest.raises(ConsoleError):
        open_power(spec)


def test_simulator_backend_in_process():
    transport = open_transport("sim:linux")
    try:
        backend = open_power("sim", transport)
        assert run(backend.run("status")) == "running"
        assert run(backend.run("power_off")) == "powered off"
        assert run(backend.run("status")) == "off"
        assert run(backend.run("power_on")) == "powered on"
    finally:
        transport.close()


def test_simulator_backend_over_tcp_from_its_own_process():
    command = str(Path(sys.executable).parent / "serial-console")
    process = subprocess.Popen([command, "sim", "linux", "--listen", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        words = process.stdout.readline().split()
        console, control = words[words.index("console") + 1], words[words.index("control") + 1]
        host, port = console.rsplit(":", 1)
        with socket.create_connection((host, int(port))) as client:
            client.settimeout(10)
            backend = open_power(f"sim:{control}")
            assert run(backend.run("status")) == "running"
            run(backend.run("nmi"))
            data = b""
            while b"NMI" not in data and b"no kernel" not in data:
                data += client.recv(4096)
                if b"GNU GRUB" in data:
                    break
    finally:
        stop_process(process)


def test_line_break_over_telnet_reaches_the_server():
    server = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve():
        client, _ = server.accept()
        client.settimeout(5)
        data = b""
        while len(data) < 3:
            data += client.recv(10)
        received.append(data)
        client.close()

    thread = threading.Thread(target=serve)
    thread.start()
    transport = open_transport(f"telnet://127.0.0.1:{server.getsockname()[1]}")
    try:
        backend = open_power("line", transport)
        assert "BREAK" in run(backend.run("sysrq", "h"))
        thread.join(5)
        assert received == [b"\xff\xf3h"]  # IAC BRK, then the SysRq key
    finally:
        transport.close()
        server.close()


def test_line_break_on_a_raw_socket_says_it_cannot():
    server = socket.create_server(("127.0.0.1", 0))
    transport = open_transport(f"socket://127.0.0.1:{server.getsockname()[1]}")
    try:
        with pytest.raises(UnsupportedAction, match="cannot send a serial BREAK"):
            run(open_power("line", transport).run("break"))
    finally:
        transport.close()
        server.close()


def test_every_action_is_named_once_with_its_words():
    from serial_console_kernel.power.base import TEXT, Action
    from serial_console_kernel.simulator.server import ACTIONS as SERVER_ACTIONS

    assert set(TEXT) == set(Action) and all(text.label and text.done for text in TEXT.values())
    assert {a for a in Action if TEXT[a].confirm} == {Action.NMI, Action.RESET, Action.POWER_OFF}
    assert set(SERVER_ACTIONS) == {a.value for a in Action} | {"health"}
    assert Action.NMI == "nmi" and "nmi" in frozenset({Action.NMI})  # strings and members agree

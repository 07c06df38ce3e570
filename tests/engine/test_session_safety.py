"""Sessions safe to leave: reconnecting after a drop (engine/session.py), one writer at a time,
and signing out when leaving (engine/logout.py), against real processes: the TCP console and
`serial-console sim` servers, killed and started again."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from helpers.processes import start_sim_server, stop_process
from helpers.sac import sign_in_to_sac
from helpers.tcp_console import PASSWORD as TCP_PASSWORD
from serial_console_kernel.engine.patterns import compile_pattern, escape
from serial_console_kernel.errors import ConsoleError, TransportClosed
from serial_console_kernel.simulator.linux.state import PASSWORD as LINUX_PASSWORD
from serial_console_kernel.target import Target


def text(literal: str):
    return compile_pattern(escape(literal))


async def connected(url: str, transcript=None) -> Target:
    target = Target()
    target.settings.timeout, target.settings.quiet_ms = 20, 200
    if transcript is not None:
        target.set_log(str(transcript))
    await target.connect(url)
    return target


async def until(condition, limit: float = 40.0) -> None:
    """Poll a state that has no event of its own (a reconnect in the reader thread), bounded."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the state never came"
        await asyncio.sleep(0.1)


def test_a_dropped_connection_fails_the_waiting_cell_then_comes_back(tcp_console, tmp_path):
    log = tmp_path / "console.log"

    async def main() -> tuple[str, list[str], str]:
        target = await connected(tcp_console, log)
        try:
            await target.wait(text("login:"))
            await target.type_line("me")
            await target.type_password(TCP_PASSWORD.decode())
            started = time.monotonic()
            with pytest.raises(TransportClosed, match="dropped"):
                await target.type_line("bye")  # the console closes the connection
            assert time.monotonic() - started < 5  # at once, not at the timeout
            await until(lambda: not target.console.session.reconnecting)
            await target.wait(text("login:"))  # the new connection's greeting
            return target.status(), target.take_notes(), target.snapshot().text()
        finally:
            await target.close()

    status, notes, screen = asyncio.run(main())
    assert status.startswith(f"connected to {tcp_console}")
    assert any(n.startswith("reconnected after") and "may be missing" in n for n in notes)
    assert "tcp-console ready" in screen
    transcript = log.read_text()
    assert "[serial-console] connection dropped" in transcript
    assert "[serial-console] reconnected after" in transcript


def test_a_simulator_server_that_restarts_on_its_port_is_reconnected():
    process, console = start_sim_server("linux", listen="127.0.0.1:0")
    port = console.rsplit(":", 1)[1]

    async def main() -> list[str]:
        nonlocal process
        target = await connected(f"socket://{console}")
        try:
            await target.wait(text("login:"), timeout=60)
            stop_process(process)
            process, _ = start_sim_server("linux", listen=f"127.0.0.1:{port}")
            await until(lambda: target.console.session.drops == 1
                        and not target.console.session.reconnecting)
            await target.wait(text("login:"), timeout=60)  # the new machine boots for us
            return target.take_notes()
        finally:
            await target.close()

    try:
        notes = asyncio.run(main())
    finally:
        stop_process(process)
    assert any(note.startswith("reconnected after") for note in notes)


def test_reconnect_off_leaves_the_console_closed(tcp_console):
    async def main() -> str:
        target = await connected(tcp_console)
        target.set_reconnect(False)
        try:
            await target.wait(text("login:"))
            await target.type_line("me")
            await target.type_password(TCP_PASSWORD.decode())
            with pytest.raises(TransportClosed):
                await target.type_line("bye")
            await until(lambda: bool(target.console.session.closed_reason))
            return target.status()
        finally:
            await target.close()

    assert asyncio.run(main()).startswith(f"disconnected from {tcp_console}")


def test_pushed_out_by_another_client_is_reported_and_not_reconnected_over():
    process, console = start_sim_server("windows")

    async def main() -> tuple[str, str, str]:
        first = await connected(f"socket://{console}")
        second: Target | None = None
        try:
            await first.wait(text("SAC>"), timeout=60)
            second = await connected(f"socket://{console}")
            await until(lambda: bool(first.console.session.closed_reason))
            pushed = first.status()
            with pytest.raises(ConsoleError, match="--take-over"):
                await first.connect(f"socket://{console}")
            told = second.snapshot(full=True).text()
            await first.connect(f"socket://{console}", take_over=True)  # and back
            await until(lambda: bool(second.console.session.closed_reason))
            return pushed, told, second.status()
        finally:
            await first.close()
            if second is not None:
                await second.close()

    try:
        pushed, told, second_status = asyncio.run(main())
    finally:
        stop_process(process)
    assert "another client took over the console" in pushed
    assert "the other client was disconnected" in told
    assert "another client took over the console" in second_status


def test_disconnect_signs_out_of_sac_and_the_next_client_finds_no_channel():
    process, console = start_sim_server("windows")

    async def main() -> tuple[list[str], str]:
        said: list[str] = []
        target = await connected(f"socket://{console}")
        target.say = said.append
        await sign_in_to_sac(target)
        await target.type_line("hostname")
        await target.disconnect()
        after = await connected(f"socket://{console}")
        try:
            await after.type_line("ch")
            return said, after.snapshot().text()
        finally:
            await after.close()

    try:
        said, listing = asyncio.run(main())
    finally:
        stop_process(process)
    assert "signed out: the Command Prompt channel closed, Command Prompt channels locked" in said
    assert "0 (AV)    SAC" in listing and "Cmd0001" not in listing


def test_a_linux_shell_is_left_at_login_and_logout_off_leaves_it():
    process, console = start_sim_server("linux")

    async def leave(logout: str | None) -> tuple[list[str], str]:
        said: list[str] = []
        target = Target(say=said.append)
        target.settings.timeout, target.settings.quiet_ms = 20, 200
        await target.connect(f"socket://{console}", logout=logout)
        await target.type_line("")
        if "login:" in target.snapshot(full=True).text().rstrip().splitlines()[-1]:
            await target.type_line("root")
            await target.type_password(LINUX_PASSWORD)
        await target.disconnect()
        after = await connected(f"socket://{console}")
        try:
            await after.type_line("")
            return said, after.snapshot(full=True).text().rstrip().splitlines()[-1]
        finally:
            await after.close()

    try:
        said, left_at = asyncio.run(leave(None))
        assert "signed out: the console is at login:" in said
        assert left_at.endswith("login:")
        said, left_at = asyncio.run(leave("off"))
        assert not [line for line in said if "signed out" in line]
        assert left_at.endswith(":~#")  # still signed in, as asked
    finally:
        stop_process(process)


def test_idle_logout_signs_out_and_says_so_in_the_next_cell():
    process, console = start_sim_server("linux")

    async def main() -> tuple[bool, list[str]]:
        target = await connected(f"socket://{console}")
        try:
            await target.wait(text("login:"), timeout=60)
            await target.type_line("root")
            await target.type_password(LINUX_PASSWORD)
            target.set_idle_logout(0.01)  # 0.6 s
            await until(lambda: not target.signed_in, limit=20)
            return target.console.session.inspect(
                lambda screen: screen.line_before_cursor()).strip().endswith("login:"), \
                target.take_notes()
        finally:
            await target.close()

    try:
        at_login, notes = asyncio.run(main())
    finally:
        stop_process(process)
    assert at_login
    assert any("signed out after 0.01 min without a cell" in note for note in notes)


def test_a_line_typed_while_reconnecting_is_refused_with_the_reason():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    async def main() -> str:
        target = await connected(f"socket://127.0.0.1:{port}")
        try:
            client, _ = server.accept()
            server.close()  # nobody will answer the reconnect attempts for a while
            client.close()
            await until(lambda: bool(target.console.session.reconnecting))
            with pytest.raises(TransportClosed) as raised:
                await target.type_line("ls")
            return str(raised.value)
        finally:
            await target.close()

    assert "reconnecting" in asyncio.run(main())


def test_a_pager_is_quit_before_signing_out():
    process, console = start_sim_server("linux")

    async def main() -> list[str]:
        said: list[str] = []
        target = Target(say=said.append)
        target.settings.timeout, target.settings.quiet_ms = 20, 200
        await target.connect(f"socket://{console}")
        await target.wait(text("login:"), timeout=60)
        await target.type_line("root")
        await target.type_password(LINUX_PASSWORD)
        await target.type_line("systemctl status ssh")  # less waits for q
        await target.disconnect()
        return said

    try:
        said = asyncio.run(main())
    finally:
        stop_process(process)
    assert ("signed out: the console is at login: (an editor or pager was left without saving)"
            in said)


def test_a_server_that_keeps_dropping_the_connection_is_given_up():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = False

    def hang_up_on_everyone() -> None:
        while not stop:
            try:
                client, _ = server.accept()
            except OSError:
                return
            client.close()

    threading.Thread(target=hang_up_on_everyone, daemon=True).start()

    async def main() -> str:
        target = Target()
        try:
            with pytest.raises(TransportClosed, match="dropped"):  # while settling after connect
                await target.connect(f"socket://127.0.0.1:{port}")
            await until(lambda: bool(target.console.session.closed_reason), limit=30)
            return target.status()
        finally:
            await target.close()

    try:
        status = asyncio.run(main())
    finally:
        stop = True
        server.close()
    assert "times within 60 s; not reconnecting again" in status

"""Long lines arrive whole: pieces of %paste-limit, each sent once the one before was echoed
(engine/console.py), against consoles that lose what comes too fast."""

from __future__ import annotations

import asyncio
import re

import pytest

from helpers.processes import start_helper, stop_process
from helpers.sac import sign_in_to_sac
from serial_console_kernel.engine.patterns import compile_pattern, escape
from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.simulator.linux.state import PASSWORD as LINUX_PASSWORD
from serial_console_kernel.target import Target


@pytest.fixture
def uart_console():
    process, port = start_helper("uart_console.py")
    try:
        yield f"socket://127.0.0.1:{port}"
    finally:
        stop_process(process)


def letters(count: int) -> str:
    return "".join(chr(ord("a") + i % 26) for i in range(count))


async def connected(url: str) -> Target:
    target = Target()
    target.settings.timeout, target.settings.quiet_ms = 20, 300
    await target.connect(url)
    return target


def test_a_uart_that_loses_a_burst_gets_every_character_in_echoed_pieces(uart_console):
    line = letters(600)

    async def main() -> tuple[str, str]:
        target = await connected(uart_console)
        try:
            target.settings.paste_limit = 16
            await target.type_line(line)
            paced = target.snapshot().text()
            target.settings.paste_limit = 0  # all at once, as a paste
            await target.type_line(line)
            await target.send("\r")  # the first Enter may have been lost with the rest
            return paced, target.snapshot().text()
        finally:
            await target.close()

    paced, at_once = asyncio.run(main())
    assert "got 600 characters" in paced
    assert line in paced.replace("\n", "")  # its echo, whole
    got = int(re.search(r"got (\d+) characters", at_once).group(1))
    assert got < 100  # the FIFO held 16; the rest of the burst was lost


def test_sac_keeps_2048_characters_of_a_burst_and_pieces_get_through():
    line = "echo " + "x" * 3000

    async def main() -> tuple[str, str, str]:
        target = await connected("sim:windows?scenario=healthy&speed=instant")
        target.settings.quiet_ms = 150
        try:
            await sign_in_to_sac(target)
            await target.type_line(line)
            paced = target.snapshot().text()
            target.settings.paste_limit = 0
            reason = await target.type_line(line)
            return paced, target.snapshot().text(), reason
        finally:
            await target.close()

    paced, at_once, reason = asyncio.run(main())
    assert paced.count("x") == 6000  # the echo and the output, whole
    assert paced.rstrip().endswith("C:\\Windows\\system32>")
    assert at_once.count("x") == 2048 - len("echo ")  # cut, and its Enter lost with the rest
    assert reason == "quiet"


def test_a_10000_character_line_arrives_whole_in_the_linux_simulator():
    line = letters(10_000)

    async def main() -> str:
        target = await connected("sim:linux?scenario=healthy&speed=instant")
        target.settings.quiet_ms = 150
        try:
            await target.wait(compile_pattern(escape("login:")), timeout=30)
            await target.type_line("root")
            await target.type_password(LINUX_PASSWORD)
            await target.type_line(f"echo {line}")
            return target.snapshot().text()
        finally:
            await target.close()

    shown = asyncio.run(main()).replace("\n", "")
    assert shown.count(line) == 2  # the echo of the typed line, and echo's output


def test_over_the_limit_to_a_console_without_echo_is_an_error_not_a_cut():
    async def main() -> None:
        target = await connected("loop://")
        try:
            target.require_console().echoes = False  # as learned from a silent console
            with pytest.raises(ConsoleError, match="over %paste-limit 2048"):
                await target.type_line("y" * 3000)
            target.settings.txdelay_ms = 0.01  # paced by time instead: allowed
            await target.send("z" * 10)
        finally:
            await target.close()

    asyncio.run(main())

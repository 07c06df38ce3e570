"""Waits: prompt, quiet, timeout, disconnect: against a real shell on a pty."""

from __future__ import annotations

import asyncio
import re

import pytest

from serial_console_kernel.engine.console import Console
from serial_console_kernel.engine.session import ConsoleSession, WaitTimeout
from serial_console_kernel.engine.settings import Settings
from serial_console_kernel.transports import open_transport


def shell(**settings) -> Console:
    session = ConsoleSession(open_transport("exec:sh -i"))
    session.start()
    return Console(session, Settings(**settings), "exec:sh -i")


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_line_ends_at_the_prompt_not_at_quiet():
    console = shell(quiet_ms=20000)  # quiet would take 20 s: the prompt must end it
    try:
        run(console.quiet_for(0.3))
        assert run(console.type_line("echo hi")) == "prompt"
        assert "hi" in console.snapshot().rows
    finally:
        console.close()


@pytest.mark.parametrize("old_prompt, tail", [
    ("ready $ ", "\\033[6n"),  # busybox ash asks where the cursor is after its prompt
    ("Password:", " "),       # the prompt's last space came in the next packet
])
def test_the_tail_of_the_old_prompt_does_not_end_the_next_line(old_prompt, tail):
    # On a slow VM the tail arrives once the next line is typed: the old prompt at the cursor
    # then ended that line before its output (a CI flake).
    script = (f"stty -echo; printf '{old_prompt}'; read line; printf '{tail}'; sleep 0.3; "
              "printf '\\r\\ngot %s\\r\\nnext $ ' \"$line\"; read line")
    session = ConsoleSession(open_transport(f'exec:sh -c "{script}"'))
    session.start()
    console = Console(session, Settings(quiet_ms=20000), "exec:sh")
    try:
        run(console.wait_text(re.compile(re.escape(old_prompt.strip())), timeout=10))
        assert run(console.type_line("hello")) == "prompt"
        assert console.snapshot().rows[-2:] == ["got hello", "next $"]
    finally:
        console.close()


def test_a_line_without_prompt_ends_when_quiet():
    console = shell(quiet_ms=200, prompt="NEVER-A-PROMPT")
    try:
        assert run(console.type_line("echo quiet")) == "quiet"
    finally:
        console.close()


def test_wait_text_times_out_with_a_clear_message():
    console = shell(timeout=0.3)
    try:
        with pytest.raises(WaitTimeout, match="timed out after 0.3 s"):
            run(console.wait_text(re.compile("never")))
    finally:
        console.close()


def test_wait_text_sees_output_that_arrived_before_the_wait():
    console = shell()
    try:
        run(console.type_line("echo marker-$((40+2))"))
        assert run(console.wait_text(re.compile("marker-42"), timeout=5)) == "found"
    finally:
        console.close()


def test_disconnect_ends_a_wait_at_once():
    console = shell()
    try:
        with pytest.raises(Exception, match="disconnected"):
            run(console.type_line("exit"))
            run(console.wait_text(re.compile("never"), timeout=30))
    finally:
        console.close()


def test_a_failure_that_escapes_the_emulation_closes_the_console_loudly(monkeypatch):
    console = shell()
    try:
        run(console.quiet_for(0.3))

        def broken(data: bytes) -> None:
            raise TypeError("a bug of ours")

        monkeypatch.setattr(console.session._stream, "feed", broken)
        with pytest.raises(Exception, match="terminal emulation failed.*a bug of ours"):
            run(console.type_line("echo hi"))
        assert "a bug of ours" in console.session.closed_reason
    finally:
        console.close()

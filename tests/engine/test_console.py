"""A cell ends where its answer ends: real bash with a long prompt, output that pauses after a
prompt-like character, Debian's less, actions and %wait.  Real processes, no mocks."""

from __future__ import annotations

import asyncio
import re

import pytest

from helpers.tcp_console import PASSWORD
from serial_console_kernel.engine.console import Console
from serial_console_kernel.engine.session import ConsoleSession
from serial_console_kernel.engine.settings import Settings
from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.transports import open_transport

DEBIAN_PROMPT = "root@debian-target:~# "
# A serial console is 80 columns wide; bash's readline redraws what goes past the row.
BASH = f"exec:env PS1='{DEBIAN_PROMPT}' TERM=vt220 bash --norc --noprofile -i"


def run(coroutine):
    return asyncio.run(coroutine)


def open_console(target: str, **settings) -> Console:
    session = ConsoleSession(open_transport(target), columns=80, lines=24)
    session.start()
    return Console(session, Settings(**settings), target)


@pytest.fixture
def bash():
    console = open_console(BASH, quiet_ms=3000)  # quiet must never be what ends these lines
    try:
        run(console.type_line("stty cols 80 rows 24"))
        console.snapshot()
        yield console
    finally:
        console.close()


def test_lines_longer_than_the_row_end_at_their_own_prompt(bash):
    # Each command is longer than the row, and its output comes late: a cell that ended at the
    # redrawn echo would show no output and the next cell would show this one's.
    for n in range(1, 5):
        filler = "x" * (70 + 10 * n)
        reason = run(bash.type_line(f": {filler}; sleep 0.3; echo answer-{n}-$((6*7))"))
        assert reason == "prompt"
        rows = bash.snapshot().text().splitlines()
        assert f"answer-{n}-42" in rows
        assert rows[-1] == DEBIAN_PROMPT.rstrip()
        assert not any(f"answer-{n + 1}" in row for row in rows)


# What readline sends for a line longer than the row on a real serial tty (Debian 12, bash 5.2):
# part of the echo, which wraps, then a redraw from the prompt row (ESC[A, NUL padding, ESC[C,
# ESC[K) that leaves the cursor right after the prompt for a moment.
READLINE_REDRAW = r"""stty -echo
printf 'root@debian-target:~# '
read -r line
printf '%s' "$(printf '%s' "$line" | cut -c1-60)"
printf '\r\033[A\000\000\033[22C\033[K'
sleep 0.2
printf '%s\r\n' "$line"
sleep 0.3
printf 'UUID=c0ffee00 /data ext4 defaults,nofail 0 2\r\n'
printf 'root@debian-target:~# '
read -r line
"""


def test_a_readline_redraw_at_the_prompt_row_does_not_end_the_line(tmp_path):
    script = tmp_path / "readline.sh"
    script.write_text(READLINE_REDRAW)
    console = open_console(f"exec:sh {script}", quiet_ms=3000)
    try:
        run(console.wait_text(re.compile("~# "), timeout=10))
        console.snapshot()
        line = "sed -i '/c0ffee00/ s/defaults/defaults,nofail/' /etc/fstab; grep c0ffee00 /etc/fstab"
        assert run(console.type_line(line)) == "prompt"
        assert "UUID=c0ffee00 /data ext4 defaults,nofail 0 2" in console.session.screen.rows_text()
    finally:
        console.close()


def test_expect_checks_the_answer_not_the_echo_of_the_command(bash):
    run(bash.type_line("true defaults,nofail"))
    with pytest.raises(ConsoleError, match="expected defaults,nofail"):
        bash.expect(re.compile("defaults,nofail"), "defaults,nofail")
    run(bash.type_line("echo defaults,nofail"))
    bash.expect(re.compile("defaults,nofail"))  # the answer has it


def test_output_that_pauses_after_a_prompt_character_does_not_end_the_line(tcp_console):
    console = open_console(tcp_console, quiet_ms=2000)
    try:
        run(console.wait_text(re.compile("login:"), timeout=10))
        run(console.type_line("user"))
        run(console.type_line(PASSWORD.decode(), echoed=False))
        console.snapshot()
        assert run(console.type_line("split")) == "prompt"
        rows = console.snapshot().text().splitlines()
        assert sum("1 SMP PREEMPT_DYNAMIC Debian" in row for row in rows) == 20
        assert rows[-1] == "$"
    finally:
        console.close()


def quit_pager(bash: Console) -> None:
    """q leaves less without a new row after the prompt: that step ends on quiet, kept short."""
    bash.settings.quiet_ms = 300
    run(bash.press(["q"]))
    bash.settings.quiet_ms = 3000


def test_a_pager_ends_the_line_with_a_note_and_refuses_typed_lines(bash):
    assert run(bash.type_line("seq 1 100 | less")) == "pager"
    assert any("%key q" in note for note in bash.take_notes())
    with pytest.raises(ConsoleError, match="not typed: the console is in a pager"):
        run(bash.type_line("echo lost"))
    quit_pager(bash)
    assert run(bash.type_line("echo out-of-less")) == "prompt"
    assert "out-of-less" in bash.snapshot().text().splitlines()


def test_the_end_of_a_pager_is_a_pager_too(bash):
    # systemctl status without --no-pager: less shows '(END)' under a short page.
    assert run(bash.type_line("printf 'a\\nb\\n' | less -P 'lines 1-2/2 (END)'")) == "pager"
    quit_pager(bash)


def test_keys_settle_like_a_typed_line_and_show_the_answer(bash):
    bash.settings.quiet_ms = 300  # keys that only echo end on quiet; Enter must end on the prompt
    assert run(bash.press(["e", "c", "h", "o", "Space", "k", "e", "y", "s"])) == "quiet"
    bash.settings.quiet_ms = 3000
    assert run(bash.press(["Enter"])) == "prompt"
    assert "keys" in bash.snapshot().text().splitlines()


def test_wait_sees_what_came_since_the_last_input_even_if_shown(bash):
    run(bash.type_line("echo marker-$((40+2))"))
    bash.snapshot()  # a cell showed it
    assert run(bash.wait_text(re.compile("marker-42"), timeout=1)) == "found"
    with pytest.raises(ConsoleError, match="timed out"):
        run(bash.wait_text(re.compile("marker-42"), timeout=0.5, new=True))
    run(bash.type_line("true"))  # new input: the old answer no longer counts
    with pytest.raises(ConsoleError, match="timed out"):
        run(bash.wait_text(re.compile("marker-42"), timeout=0.5))


def test_a_redrawn_screen_is_shown_whole(bash):
    run(bash.type_line("echo above"))
    bash.snapshot()
    run(bash.type_line("clear; echo below"))
    snapshot = bash.snapshot()
    assert snapshot.first_row == 0
    assert snapshot.text().splitlines()[0] == "below"

"""Prompt shapes: anchored at the start of the logical line; pagers at the cursor row."""

from __future__ import annotations

import pytest

from serial_console_kernel.engine.prompts import DEFAULT_PROMPT, compile_prompt, learned_prompt, pager_waiting

PROMPT = compile_prompt(DEFAULT_PROMPT)


@pytest.mark.parametrize("line", [
    "root@debian-target:~# ", "admin@web-17:/var/log$ ", "[root@centos9 ~]# ", "[ops@host log]$ ",
    "bash-5.2# ", "sh-5.2$ ", "root@(none):/# ", "/ # ", "~ $ ", "# ", "$ ", "grub> ", "SAC>",
    "!SAC>", "C:\\Windows\\system32>", "PS C:\\Users\\Administrator> ", "debian-target login: ",
    "login: ", "Password: ", "Username:", "Domain  :", "=> ", "myhost% ",
    "(or press Control-D to continue): ", "(or type Control-D for normal startup):",
    "Would you like to schedule this volume to be checked the next time the system restarts? (Y/N) ",
    "[sudo] password for root: ", "Do you want to continue? [Y/n] ",
])
def test_prompt_shapes_match(line):
    assert PROMPT.search(line), line


@pytest.mark.parametrize("line", [
    "[    0.000000] Linux version 6.1 (gcc) #",  # output that paused after '#'
    "Total: 12 items $",
    "Progress: 50%",
    "50%",
    "  inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0 >",
    "Copying files to C:\\Windows\\Temp>",  # a Windows path inside a sentence
    "echo hi # a comment",
    "",
])
def test_output_that_ends_like_a_prompt_is_not_one(line):
    assert not PROMPT.search(line), line


def test_a_users_prompt_is_anchored_the_same_way():
    prompt = compile_prompt(r"dev\d+>")
    assert prompt.search("dev12> ")
    assert not prompt.search("connected to dev12> ")
    assert compile_prompt(r".*dev\d+>").search("connected to dev12>")


@pytest.mark.parametrize("seen, later, other", [
    ("root@debian-target:~# ", "root@debian-target:/etc/default# ", "root@other:~# "),
    ("C:\\Windows\\system32>", "D:\\>", "PS C:\\>"),
    ("[root@host ~]# ", "[root@host /var/log]# ", "[ops@host ~]# "),
    ("PS C:\\Users\\Administrator> ", "PS C:\\> ", "C:\\>"),
    ("SAC>", "SAC>", "!SAC>"),
])
def test_a_learned_prompt_lets_its_path_change_and_nothing_else(seen, later, other):
    learned = learned_prompt(seen)
    assert learned.search(seen) and learned.search(later)
    assert not learned.search(other)


def test_a_bare_sign_is_learned_as_itself():
    assert learned_prompt("# ").search("# ") and not learned_prompt("# ").search("$ ")
    assert learned_prompt("  ") is None


@pytest.mark.parametrize("row, waiting", [
    ("lines 1-17/17 (END)", True), ("lines 1-24", True), ("(END)", True), ("--More--", True),
    ("--More--(42%)", True), ("-- More  --", False), ("-- More --", True),
    ("root@host:~# ", False), ("the end", False),
])
def test_pager_rows(row, waiting):
    assert pager_waiting(row) is waiting


def test_a_learned_prompt_waits_for_its_trailing_space():
    # busybox's prompt space may come in a later packet: a cell ended before it would show the
    # cursor one column early (nbval saw it).
    learned = learned_prompt("root@serialtarget:~# ")
    assert not learned.search("root@serialtarget:~#") and learned.search("root@serialtarget:~# ")
    assert not learned_prompt("root@serialtarget:~# ").search("root@serialtargeX:~# ")

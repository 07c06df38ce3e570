"""The kernel end to end: a real kernel process, real messages, real consoles."""

from __future__ import annotations

import os
import time

import pytest

from helpers.jupyter import collect, execute
from helpers.line_shell import LineShell
from helpers.tcp_console import PASSWORD


def login(kc, url: str) -> None:
    execute(kc, f"%connect {url}")
    assert "Welcome" in execute(kc, "user\n%password TCP_CONSOLE_PASSWORD").text


def test_cell_without_connect_explains_how_to_connect(kc):
    result = execute(kc, "dir")
    assert result.status == "error"
    assert "%connect" in result.error and "\n" not in result.error
    assert result.errors, "nbval sees a failing cell only through an iopub error"


def test_unknown_magic_suggests_the_closest_name(kc):
    result = execute(kc, "%conect loop://")
    assert result.status == "error"
    assert "did you mean %connect?" in result.error
    assert execute(kc, "%timeout").stdout == "timeout 30 s\n"


def test_a_typo_on_a_later_line_types_nothing(kc, tmp_path):
    execute(kc, "%connect loop://")
    result = execute(kc, "first line\n%nosuchmagic")
    assert result.status == "error"
    assert "first line" not in execute(kc, "%screen").text


def test_real_shell_on_a_pty_answers_with_the_screen(kc):
    assert execute(kc, "%connect exec:bash --norc --noprofile -i").status == "ok"
    result = execute(kc, "echo one\nseq 1 200")
    assert result.status == "ok"
    (display,) = result.displays
    assert set(display["data"]) == {"text/plain", "text/html"}
    lines = result.text.splitlines()
    # Nothing that scrolled off the 25-row screen is lost.
    assert [str(n) for n in range(1, 201)] == [line for line in lines if line.isdigit()]
    assert lines[-1].endswith("#") or lines[-1].endswith("$")
    meta = display["metadata"]["serial_console"]
    assert meta["size"] == {"columns": 80, "rows": 25}
    assert meta["target"] == "exec:bash --norc --noprofile -i"
    assert meta["scrolled_lines"] > 0


def test_a_cell_shows_what_it_produced_and_dims_the_rest_in_html(kc):
    execute(kc, "%connect exec:bash --norc --noprofile -i")
    execute(kc, "seq 1 10")
    result = execute(kc, "echo next")
    # From the row where this cell's input began: not the previous commands' output again.
    assert result.text.splitlines() == ["bash-5.2# echo next", "next", "bash-5.2#"]
    html = result.displays[-1]["data"]["text/html"]
    before, _, mine = html.partition('<span class="sc-before">')[2].partition("</span>")
    assert "10" in before.split("\n") and "echo next" not in before  # the context, dimmed
    assert "echo next" in mine
    assert result.displays[-1]["metadata"]["serial_console"]["first_row"] > 0
    # %screen shows the whole screen.
    assert "10" in execute(kc, "%screen").text.splitlines()


def test_command_exit_is_reported_as_a_disconnect(kc):
    execute(kc, "%connect exec:sh -c 'echo bye; exit 3'")
    result = execute(kc, "anything")
    assert result.status == "error"
    assert "exited with status 3" in result.error
    assert execute(kc, "%status").stdout.startswith("disconnected from exec:sh")


def test_tcp_console_login_never_shows_the_password(kc, tcp_console, tmp_path):
    log = tmp_path / "transcript.log"
    assert execute(kc, f"%log {log}").status == "ok"
    assert execute(kc, f"%connect {tcp_console}").status == "ok"
    result = execute(kc, "operator\n%password TCP_CONSOLE_PASSWORD\necho-secret")
    assert result.status == "ok", result.error
    assert "Welcome operator" in result.text
    assert "you typed " + "*" * len(PASSWORD) in result.text
    assert PASSWORD.decode() not in result.text
    assert PASSWORD.decode() not in result.displays[-1]["data"]["text/html"]
    execute(kc, "%log off")
    transcript = log.read_text()
    assert "Welcome operator" in transcript
    assert PASSWORD.decode() not in transcript


def test_a_secret_stays_masked_in_every_message_in_any_case_and_after_a_reconnect(kc, tcp_console):
    secret = PASSWORD.decode()
    login(kc, tcp_console)
    assert secret.upper() not in execute(kc, f"echo {secret.upper()}").text  # echoed in capitals
    leaks = [execute(kc, "%env TCP_CONSOLE_PASSWORD"), execute(kc, "%echo ${TCP_CONSOLE_PASSWORD}"),
             execute(kc, "%expect ${TCP_CONSOLE_PASSWORD}")]
    for result in leaks:
        assert secret not in result.stdout + result.error + str(result.errors), result
    assert "*" * len(secret) in leaks[0].stdout
    # A new connection to a console that repeats the secret (as a server replaying its buffer).
    execute(kc, f"%connect {tcp_console}")
    result = execute(kc, "someone\nwrong-password\necho-secret")
    assert "you typed " + "*" * len(secret) in result.text and secret not in result.text


def test_password_without_a_source_is_a_clear_error(kc, tcp_console):
    execute(kc, f"%connect {tcp_console}")
    result = execute(kc, "%password NO_SUCH_VARIABLE_SET", allow_stdin=False)
    assert result.status == "error"
    assert "NO_SUCH_VARIABLE_SET" in result.error


def test_password_is_asked_through_jupyter_when_no_variable_holds_it(kc, tcp_console):
    execute(kc, f"%connect {tcp_console}")
    msg_id = kc.execute("user\n%password", allow_stdin=True)
    request = kc.get_stdin_msg(timeout=30)
    assert request["msg_type"] == "input_request" and request["content"]["password"] is True
    kc.input(PASSWORD.decode())
    result = collect(kc, msg_id)
    assert result.status == "ok", result.error
    assert "Welcome user" in result.text


def test_flood_is_capped_in_the_cell_and_kept_whole_in_the_log(kc, tcp_console, tmp_path):
    log = tmp_path / "flood.log"
    execute(kc, f"%log {log}")
    login(kc, tcp_console)
    execute(kc, "%scrollback 1000")
    result = execute(kc, "flood 5000")
    assert result.status == "ok"
    lines = result.text.splitlines()
    assert lines[0].startswith("[... ") and "left out" in lines[0]
    left_out = int(lines[0].split()[1])
    shown = [line for line in lines if line.startswith("flood line")]
    # Left out: the echoed command line and flood lines 1 to left_out - 1.
    assert shown[0] == f"flood line {left_out} of 5000"
    assert len(shown) + left_out - 1 == 5000
    assert shown[-1] == "flood line 5000 of 5000"
    execute(kc, "%log off")
    logged = [line for line in log.read_text().splitlines() if line.startswith("flood line")]
    assert len(logged) == 5000
    execute(kc, "%scrollback 2000")


def test_garbage_bytes_do_not_hurt_the_kernel(kc, tcp_console):
    login(kc, tcp_console)
    assert execute(kc, "garbage").status == "ok"
    result = execute(kc, "echo still alive")
    assert result.status == "ok"
    assert "still alive" in result.text


def test_colours_reach_the_html(kc, tcp_console):
    login(kc, tcp_console)
    html = execute(kc, "color").displays[-1]["data"]["text/html"]
    assert "color:#cd3131;font-weight:bold" in html
    assert '<span class="sc-cursor">' in html


def test_a_dropped_connection_fails_the_cell_and_comes_back_by_itself(kc, tcp_console):
    login(kc, tcp_console)
    dropped = execute(kc, "bye")
    assert dropped.status == "error"
    assert "the connection dropped" in dropped.error and "reconnecting" in dropped.error
    deadline = time.monotonic() + 20
    while not (status := execute(kc, "%status").stdout).startswith(f"connected to {tcp_console}"):
        assert time.monotonic() < deadline, "never reconnected"
        time.sleep(0.2)
    said = status  # the first cell after the reconnect says so, once
    again = execute(kc, "%wait login:")
    assert again.status == "ok"
    assert "reconnected after" in said and "may be missing" in said
    assert "reconnected after" not in again.stdout


def test_with_reconnect_off_a_drop_is_reported_and_connect_reconnects(kc, tcp_console):
    login(kc, tcp_console)
    execute(kc, "%reconnect off")
    try:
        execute(kc, "bye")
        result = execute(kc, "echo hello")
        assert result.status == "error"
        assert "disconnected" in result.error and "%connect" in result.error
        again = execute(kc, "%connect")
        assert again.status == "ok"
        assert "tcp-console ready" in again.text
    finally:
        execute(kc, "%reconnect on")


def test_wait_timeout_is_an_error_with_the_screen(kc, tcp_console):
    execute(kc, f"%connect {tcp_console}")
    result = execute(kc, "%wait NEVER-SHOWN --timeout 0.5")
    assert result.status == "error"
    assert "timed out after 0.5 s" in result.error
    assert "login:" in result.text


def test_wait_finds_output_that_arrives_later(kc, tcp_console):
    login(kc, tcp_console)
    result = execute(kc, "%send slow\\r\n%wait tick 2")
    assert result.status == "ok"
    assert "tick 2" in result.text


def test_expect_fails_loudly_when_the_text_is_absent(kc, tcp_console):
    login(kc, tcp_console)
    assert execute(kc, "echo fixed\n%expect fixed").status == "ok"
    failed = execute(kc, "echo broken\n%expect /repair(ed)?/")
    assert failed.status == "error" and failed.errors
    assert "expected" in failed.error


def test_interrupt_stops_a_wait_at_once_and_keeps_the_connection(kernel, tcp_console):
    km, kc = kernel
    execute(kc, f"%connect {tcp_console}")
    msg_id = kc.execute("%wait NEVER --timeout 120", stop_on_error=False)
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
            break
    started = time.monotonic()
    km.interrupt_kernel()
    result = collect(kc, msg_id, timeout=30)
    assert time.monotonic() - started < 10, "the 120 s wait was not interrupted"
    assert result.status == "error" and "interrupted" in result.error
    assert execute(kc, "%status").stdout.startswith(f"connected to {tcp_console}")


@pytest.mark.parametrize(
    "target, message",
    [
        ("foo://nowhere", "unknown target scheme"),
        ("socket://127.0.0.1:1", "connection refused"),
        ("/dev/ttyNOSUCHDEVICE", "no such device"),
        ("exec:/no/such/program", "cannot run"),
    ],
)
def test_bad_targets_are_one_line_errors(kc, target, message):
    result = execute(kc, f"%connect {target}")
    assert result.status == "error"
    assert message in result.error.lower() and "\n" not in result.error
    assert execute(kc, "%lsmagic").status == "ok"


def test_loop_url_and_size(kc):
    execute(kc, "%connect loop:// --size 100x40")
    result = execute(kc, "%send hello over loop")
    assert "hello over loop" in result.text
    assert result.displays[0]["metadata"]["serial_console"]["size"] == {"columns": 100, "rows": 40}
    execute(kc, "%size 80x25")


def test_env_defaults_in_magic_arguments(kc):
    os.environ.pop("SERIAL_CONSOLE_TEST_TARGET", None)
    result = execute(kc, "%connect ${SERIAL_CONSOLE_TEST_TARGET:-loop://}")
    assert result.stdout == "connected to loop://\n"


def test_help_and_inspect_come_from_the_declarations(kc):
    assert "%wait TEXT|/REGEX/ [--timeout S]" in execute(kc, "%help wait").stdout
    reply = kc.inspect("%wait foo", 3, reply=True)["content"]
    assert reply["found"] and "--timeout" in reply["data"]["text/plain"]
    matches = kc.complete("%key Ctrl-", 10, reply=True)["content"]["matches"]
    assert "Ctrl-X" in matches


def test_hostile_bytes_never_take_the_console_down(kc, tcp_console):
    login(kc, tcp_console)
    result = execute(kc, "hostile")
    assert result.status == "ok", result.error
    assert result.text.splitlines() == ["still alive", "x" * 78 + "$"]  # a prompt up to column 80
    assert "echo works" in execute(kc, "echo echo works").text
    status = execute(kc, "%status").stdout
    assert status.startswith("connected to socket://")
    assert "escape sequences dropped" in status


def test_a_failed_connect_leaves_no_setting_behind(kc):
    before = execute(kc, "%status").stdout.splitlines()[1:]
    failed = execute(kc, "%connect socket://127.0.0.1:1 --size 100x40 --keys ems --baud 9600")
    assert failed.status == "error" and "refused" in failed.error
    assert execute(kc, "%status").stdout.splitlines()[1:] == before


def test_a_pattern_that_backtracks_for_ever_is_an_error_not_a_hung_kernel(kc):
    execute(kc, "%connect exec:bash --norc --noprofile -i")
    execute(kc, "printf 'a%.0s' {1..3000}; echo")
    started = time.monotonic()
    result = execute(kc, "%expect /(a+)+b/", timeout=30)
    assert result.status == "error" and "took over 1 s to match" in result.error
    assert time.monotonic() - started < 10
    assert execute(kc, "echo alive").status == "ok"


def test_a_peer_that_never_reads_costs_a_clear_error_not_a_hang(kc):
    peer = LineShell(reading=False)
    try:
        # All at once: the write itself must be bounded (in pieces, the echo wait is).
        execute(kc, f"%connect {peer.url}\n%timeout 2\n%paste-limit 0")
        started = time.monotonic()
        result = execute(kc, "%send " + "x" * 4_000_000, timeout=60)
        assert result.status == "error" and "reads no more" in result.error, result.error
        assert time.monotonic() - started < 20
        assert execute(kc, "%status").stdout.startswith("connected to")  # still usable
    finally:
        peer.close()
        execute(kc, "%timeout 30\n%paste-limit 2048")


def test_an_interrupt_while_typing_says_what_was_left_and_clears_it(kernel):
    km, kc = kernel
    shell = LineShell()
    try:
        execute(kc, f"%connect {shell.url}\nhello")  # the prompt is known from here on
        msg_id = kc.execute("%txdelay 300\necho echo NX", stop_on_error=False)
        assert shell.got_some.wait(30)
        km.interrupt_kernel()
        result = collect(kc, msg_id, timeout=30)
        assert result.status == "error" and "interrupted" in result.error
        assert "was typed without Enter and is cleared with Ctrl-U" in result.error, result.error
        execute(kc, "%txdelay 0")
        assert "got echo ok" in execute(kc, "echo ok").text
        assert shell.lines[-1] == "echo ok"
    finally:
        shell.close()

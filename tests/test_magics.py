import pytest

from serial_console_kernel.magics import (
    MAGICS,
    MagicError,
    expand_env,
    help_text,
    parse_cell,
    parse_pattern,
)


def test_plain_lines_and_magics():
    steps = parse_cell("\n\ndir\n\n%wait C:\\Windows> --timeout 5\n\n")
    assert [s.text for s in steps] == ["dir", "", "%wait C:\\Windows> --timeout 5"]
    assert steps[2].args.pattern == ["C:\\Windows>"] and steps[2].args.timeout == 5


def test_connect_keeps_the_exec_command_whole():
    (step,) = parse_cell("%connect exec:ssh -t 'host name' --baud 9600")
    assert step.args.target == ["exec:ssh -t 'host name'"]
    assert step.args.baud == 9600


def test_unknown_magic_and_bad_arguments():
    with pytest.raises(MagicError, match="did you mean %timeout"):
        parse_cell("%timout 5")
    with pytest.raises(MagicError, match="invalid float"):
        parse_cell("%timeout soon")
    with pytest.raises(MagicError, match="invalid choice"):
        parse_cell("%enter windows")


def test_environment_expansion():
    env = {"TARGET": "socket://h:1"}
    assert expand_env("${TARGET:-sim:windows}", env) == "socket://h:1"
    assert expand_env("${NOPE:-sim:windows}", env) == "sim:windows"
    with pytest.raises(MagicError, match="NOPE is not set"):
        expand_env("${NOPE}", env)


def test_patterns():
    assert parse_pattern("a.b").search("a.b") and not parse_pattern("a.b").search("axb")
    assert parse_pattern("/a.b/").search("axb")
    with pytest.raises(MagicError):
        parse_pattern("/(/")


def test_help_covers_every_magic():
    overview = help_text()
    assert all(f"%{name}" in overview for name in MAGICS)
    assert help_text("key").startswith("%key NAME...")


def test_hash_is_text_not_a_comment():
    (step,) = parse_cell("%wait /root@\\S+:~[#$] / --timeout 5")
    assert step.args.pattern == ["/root@\\S+:~[#$]", "/"]
    (step,) = parse_cell("%expect root@serialtarget:~#")
    assert step.args.pattern == ["root@serialtarget:~#"]

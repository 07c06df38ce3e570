import pytest

from serial_console_kernel.engine.prompts import compile_prompt
from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.jupyter.magics import (
    MAGICS,
    MagicError,
    expand_env,
    help_text,
    parse_cell,
    parse_pattern,
)
from serial_console_kernel.transports import open_transport


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
    with pytest.raises(MagicError, match="not a number from 0.001 to 86400 seconds"):
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
    with pytest.raises(ConsoleError, match="bad regex"):
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


BAD_LINES = [
    "%scrollback 100000000000000000000", "%connect socket://nohost.invalid:99999",
    "%connect socket://127.0.0.1:abc", "%timeout nan", "%timeout inf", "%timeout 1e308",
    "%timeout -1", "%wait x --timeout nan", "%wait x --timeout 1e308", "%txdelay 99999999",
    "%txdelay inf", "%quiet nan", "%connect loop:// --baud -1", "%boot-menu --timeout inf",
    "%expect /(unclosed/", "%prompt (unclosed",
]


@pytest.mark.parametrize("line", BAD_LINES)
def test_bad_arguments_get_a_one_line_error(line):
    with pytest.raises(ConsoleError) as failure:
        steps = parse_cell(line)
        for step in steps:  # what the kernel would open or compile with them
            if step.magic.name == "connect":
                open_transport(step.args.target[0], baud=step.args.baud or 115200)
            elif step.magic.name in ("expect", "wait"):
                parse_pattern(" ".join(step.args.pattern))
            elif step.magic.name == "prompt":
                compile_prompt(step.args)
    message = str(failure.value)
    assert message and "\n" not in message and "Traceback" not in message


def test_every_declared_magic_runs_a_function_of_its_group_and_every_function_is_declared():
    import inspect

    from serial_console_kernel.jupyter.magics import GROUPS

    for name, magic in MAGICS.items():
        assert inspect.iscoroutinefunction(magic.run), f"%{name} declares no async function"
    for group in GROUPS:
        declared = {magic.run for magic in group.MAGICS}
        defined = {function for _, function in inspect.getmembers(group, inspect.iscoroutinefunction)
                   if function.__module__ == group.__name__}
        assert defined == declared, f"{group.__name__}: functions without a magic"
        assert all(magic.run.__module__ == group.__name__ for magic in group.MAGICS)


def test_a_magic_that_acts_on_the_console_says_so():
    # `touches` decides whether an error shows the screen: every action on the machine must.
    acting = {"connect", "screen", "send", "key", "wait", "password", "nmi", "reset", "restart",
              "power", "sysrq", "break", "boot-menu"}
    assert {name for name, magic in MAGICS.items() if magic.touches} == acting

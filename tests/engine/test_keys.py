import pytest

from serial_console_kernel.engine.keys import decode_escapes, key_bytes


@pytest.mark.parametrize("name, xterm, ems", [
    ("F8", "\x1b[19~", "\x1b8"), ("F10", "\x1b[21~", "\x1b0"), ("F12", "\x1b[24~", "\x1b@"),
    ("Home", "\x1b[H", "\x1bh"), ("PgDn", "\x1b[6~", "\x1b/"), ("Up", "\x1b[A", "\x1b[A"),
])
def test_profiles(name, xterm, ems):
    assert key_bytes(name, "xterm") == xterm
    assert key_bytes(name, "ems") == ems


def test_names_are_forgiving():
    assert key_bytes("ctrl-x") == key_bytes("Ctrl-X") == "\x18"
    assert key_bytes("down") == "\x1b[B"
    assert key_bytes("PageUp") == "\x1b[5~"
    assert key_bytes("0") == "0"
    with pytest.raises(KeyError):
        key_bytes("Hyper")


def test_send_escapes():
    assert decode_escapes(r"\x03") == "\x03"
    assert decode_escapes(r"a\r\n\tb\e[A") == "a\r\n\tb\x1b[A"
    assert decode_escapes(r"C:\Windows\x") == "C:\\Windows\\x"
    assert decode_escapes(r"\ init=/bin/bash") == " init=/bin/bash"

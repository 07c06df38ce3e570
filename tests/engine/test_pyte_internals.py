"""ingest.py and screen.py lean on pyte internals; pyproject pins pyte below its next minor
version, and this test says plainly what moved if a pyte release changes them."""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pyte
from pyte import modes

from serial_console_kernel.engine.screen import ConsoleScreen


def test_the_pyte_internals_the_engine_uses_are_there():
    stream = pyte.ByteStream(pyte.Screen(80, 25))
    missing = [name for name in ("_taking_plain_text", "_send_to_parser", "_initialize_parser",
                                 "_parser_fsm", "use_utf8", "utf8_decoder") if not hasattr(stream, name)]
    missing += [name for name in ("DECAWM", "DECOM", "DECTCEM", "IRM", "LNM") if not hasattr(modes, name)]
    if not hasattr(pyte.charsets, "LAT1_MAP"):
        missing.append("charsets.LAT1_MAP")
    # pyte.Screen.draw wraps through linefeed() and inserts through insert_characters(): the
    # wrap flags and the row-at-a-time insert mode depend on both.
    draw = inspect.getsource(pyte.Screen.draw)
    missing += [call for call in ("self.linefeed()", "self.insert_characters(") if call not in draw]
    assert not missing, (f"pyte {version('pyte')} changed what ingest.py/screen.py rely on: "
                         f"{', '.join(missing)}; check them before raising the pin in pyproject.toml")


def test_the_screen_still_keeps_wrapped_text_as_pyte_draws_it():
    screen = ConsoleScreen(10, 3)
    pyte.ByteStream(screen).feed(b"0123456789abc")
    assert screen.rows_text()[:2] == ["0123456789", "abc"] and 1 in screen.wrapped

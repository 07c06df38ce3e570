"""The fast-forward path must end where pyte ends: same cells, colours, cursor and modes, and
the same lines kept in the scrollback, whatever the input and however it is chunked."""

from __future__ import annotations

import random

import pyte
import pytest
from workloads import WORKLOADS

from serial_console_kernel.engine.ingest import FAST_MIN, FastForwardStream
from serial_console_kernel.engine.screen import ConsoleScreen


def state(screen: ConsoleScreen) -> tuple:
    cells = [[screen.buffer[y][x] for x in range(screen.columns)] for y in range(screen.lines)]
    cursor = (screen.cursor.x, screen.cursor.y, screen.cursor.attrs, screen.cursor.hidden)
    return cells, cursor, screen.mode, list(screen.scrolled), screen.left_out, screen.line_feeds


def emulating(screen: ConsoleScreen) -> FastForwardStream:
    """The same stream with every fast path out of reach: cell-by-cell emulation."""
    stream = FastForwardStream(screen)
    stream.fast_min = float("inf")
    return stream


def both(data: bytes, chunk: int, scrollback: int = 100_000) -> tuple[ConsoleScreen, ConsoleScreen]:
    fast, slow = ConsoleScreen(80, 25, scrollback), ConsoleScreen(80, 25, scrollback)
    fast.stream, slow_stream = FastForwardStream(fast), emulating(slow)
    for start in range(0, len(data), chunk):
        fast.stream.feed(data[start:start + chunk])
        slow_stream.feed(data[start:start + chunk])
    return fast, slow


@pytest.mark.parametrize("name", sorted(WORKLOADS))
@pytest.mark.parametrize("chunk", [FAST_MIN * 2 + 17, 65536])
def test_each_workload_ends_where_pyte_ends(name, chunk):
    data = WORKLOADS[name](120_000)
    fast, slow = both(data, chunk)
    assert state(fast) == state(slow)
    assert fast.stream.fast_forwarded > len(data) / 2  # the fast path was taken, not bypassed


def test_every_line_of_a_flood_reaches_the_scrollback_in_order():
    data = b"".join(b"line %06d\r\n" % n for n in range(20_000))
    fast, _ = both(data, 65536)
    kept = list(fast.scrolled) + fast.rows_text()
    assert kept == [f"line {n:06d}" for n in range(20_000)]


def test_rows_already_shown_are_not_kept_twice_on_the_fast_path():
    for screen in both(b"".join(b"before %02d\r\n" % n for n in range(10)), 64):
        screen.take_scrolled()  # a snapshot showed rows 0-9
    fast, slow = both(b"", 1)
    for screen, stream in ((fast, FastForwardStream(fast)), (slow, pyte.ByteStream(slow))):
        stream.feed(b"".join(b"before %02d\r\n" % n for n in range(10)))
        screen.take_scrolled()
        stream.feed(b"".join(b"after %05d\r\n" % n for n in range(5000)))
    assert state(fast) == state(slow)
    assert list(fast.scrolled)[:11] == [f"after {n:05d}" for n in range(11)]


def test_the_cap_leaves_out_the_same_count():
    data = b"".join(b"l %d\r\n" % n for n in range(30_000))
    fast, slow = both(data, 65536, scrollback=500)
    assert (fast.left_out, list(fast.scrolled)) == (slow.left_out, list(slow.scrolled))
    assert fast.left_out > 0


PIECES = [
    "plain words", "\x1b[1;31mred\x1b[0m", "\x1b[44m", "\x1b[m", "\r\n", "\r\n", "\r\n", "\n",
    "\r", "\t", "x" * 79, "y" * 80, "z" * 161, "\x1b[H\x1b[J", "\x1b[2J\x1b[H", "\x1b[5;10H",
    "\x1b[K", "\x1b[1K", "\x1b[?25l", "\x1b[?25h", "\x1b[3;20r", "\x1b[r", "\x1b(0", "\x1b(B",
    "\x1b[4h", "\x1b[4l", "é", "漢字", "\x1b[38;5;208mo\x1b[0m", "\x1bM", "\x1b[2A", "\x1b[25;1H",
    "\x1b[", "7", "\x1b]0;title\x07", "\x07", "\x08",
]


@pytest.mark.parametrize("seed", range(8))
def test_random_mixtures_end_where_pyte_ends(seed):
    rng = random.Random(seed)
    blocks = []
    for _ in range(150):
        if rng.random() < 0.3:
            # Half of the floods come after the modes that block the fast path are reset.
            lines = (f"log {rng.randint(0, 10**6)} \x1b[32mok\x1b[0m\r\n"
                     for _ in range(rng.randint(1, 200)))
            blocks.append(rng.choice(["", "\x1b[r\x1b[4l\x1b(B"]) + "".join(lines))
        else:
            blocks.append("".join(rng.choices(PIECES, k=rng.randint(1, 40))))
    data = "".join(blocks).encode()
    fast, slow = both(data, rng.choice([FAST_MIN + 4000, 20_000, 65536]))
    assert state(fast) == state(slow)
    assert fast.stream.fast_forwarded > 0


def test_unterminated_strings_never_swallow_later_output():
    # A title (OSC) cut short, a DCS ended by CAN, ESC c inside an OSC: what follows shows.
    for data in (b"\x1b]8y4T garbage\r\nvisible\r\n", b"\x1bPq#0;2;0;0;0\x18visible\r\n",
                 b"\x1b]0;title\x1bcvisible\r\n", b"\x1b]0;" + b"t" * 10_000 + b"visible\r\n",
                 b"\x1b]0;title\x07visible\r\n", b"\x1b]0;ti" + b"tle\x1b\\visible\r\n"):
        screen = ConsoleScreen(80, 25)
        stream = FastForwardStream(screen)
        for start in range(0, len(data), 5):  # cut anywhere, the ESC \ terminator too
            stream.feed(data[start:start + 5])
        assert any(row.endswith("visible") for row in screen.rows_text()), data[:20]
        assert not any("title" in row or "#0;2" in row for row in screen.rows_text())


def test_malformed_sequences_are_dropped_and_counted_not_raised():
    screen = ConsoleScreen(80, 25)
    stream = FastForwardStream(screen)
    for bad in (b"\x1b[1;2A", b"\x1b[?5G", b"\x1b[6;1n", b"\x1b[4J", b"\x1b[?6h\x1b[6n",
                "\x1b[¹A".encode(), b"\x1b[" + b"9" * 5000 + b"A"):
        stream.feed(b"hello\r\n" + bad + b"after\r\n")
    assert screen.rows_text().count("after") + screen.rows_text().count("hello") >= 7
    assert stream.malformed >= 3


def test_insert_mode_ends_where_pyte_ends():
    rng = random.Random(7)
    for _ in range(200):
        data = b"".join(rng.choice([b"\x1b[4h", b"\x1b[4l", b"\x1b[3;5H", b"\x1b[?7l", b"\x1b[?7h",
                                    b"abc" * rng.randint(1, 60), b"\r\n", b"\x1b[2D", b"\x1b[1m"])
                        for _ in range(12))
        fast, slow = ConsoleScreen(40, 6), pyte.Screen(40, 6)
        pyte.ByteStream(fast).feed(b"row one\r\nrow two with text\x1b[1;3H" + data)
        pyte.ByteStream(slow).feed(b"row one\r\nrow two with text\x1b[1;3H" + data)
        cells = [[fast.buffer[y][x] for x in range(40)] for y in range(6)]
        assert cells == [[slow.buffer[y][x] for x in range(40)] for y in range(6)], data
        assert (fast.cursor.x, fast.cursor.y) == (slow.cursor.x, slow.cursor.y)

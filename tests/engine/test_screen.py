import pyte

from serial_console_kernel.engine.screen import ConsoleScreen


def feed(screen: ConsoleScreen, data: bytes) -> None:
    pyte.ByteStream(screen).feed(data)


def test_lines_scrolled_off_the_top_are_kept_in_order():
    screen = ConsoleScreen(20, 5)
    feed(screen, b"".join(b"line %d\r\n" % i for i in range(12)))
    scrolled, left_out = screen.take_scrolled()
    assert scrolled == [f"line {i}" for i in range(8)]
    assert left_out == 0
    assert screen.rows_text() == ["line 8", "line 9", "line 10", "line 11"]


def test_the_cap_counts_what_it_leaves_out():
    screen = ConsoleScreen(20, 5, scrollback=3)
    feed(screen, b"".join(b"%d\r\n" % i for i in range(20)))
    scrolled, left_out = screen.take_scrolled()
    assert scrolled == ["13", "14", "15"]
    assert left_out == 13


def test_rows_shown_in_a_snapshot_are_not_kept_again_when_they_scroll():
    screen = ConsoleScreen(20, 5)
    feed(screen, b"a\r\nb\r\n$ ")
    screen.take_scrolled()
    feed(screen, b"ls\r\n1\r\n2\r\n3\r\n4\r\n$ ")
    scrolled, _ = screen.take_scrolled()
    assert scrolled == ["$ ls"]


def test_scrolling_inside_a_region_is_not_history():
    screen = ConsoleScreen(20, 5)
    feed(screen, b"\x1b[2;4r\x1b[4;1H" + b"x\n" * 6)
    assert screen.take_scrolled() == ([], 0)


def test_coloured_clear_colours_every_cell():
    screen = ConsoleScreen(10, 3)
    feed(screen, b"\x1b[44m\x1b[2J")
    assert all(screen.buffer[y][x].bg == "blue" for y in range(3) for x in range(10))


def test_default_clear_stays_sparse():
    screen = ConsoleScreen(10, 3)
    feed(screen, b"\x1b[2J")
    assert all(len(screen.buffer[y]) == 0 for y in range(3))


def test_terminal_queries_are_not_answered():
    screen = ConsoleScreen(10, 3)
    answered = []
    screen.write_process_input = answered.append  # would be called by a plain pyte.Screen
    ConsoleScreen.write_process_input(screen, "x")
    feed(screen, b"# \x1b[6n")
    assert screen.text_before_cursor() == "# "


def test_fresh_text_holds_what_arrived_since_the_last_snapshot():
    screen = ConsoleScreen(20, 5)
    feed(screen, b"old\r\n")
    screen.take_scrolled()
    feed(screen, b"new text\r\nmore")
    assert screen.fresh_text() == "new text\nmore"


def test_garbage_and_huge_lines_do_not_break_the_screen():
    screen = ConsoleScreen(80, 25)
    feed(screen, b"\xff\xfe\x00\x1b[999;999H\x1b]0;x\x07" + b"y" * 100000 + b"\r\nok")
    assert screen.rows_text()[-1] == "ok"


def test_fresh_text_keeps_a_wrapped_line_whole_across_chunks():
    screen = ConsoleScreen(20, 5)
    feed(screen, b"prompt# [ 4.28] sysr")
    feed(screen, b"q: HELP : loglevel(0-9) reboot(b) crash(c) terminate-all-tasks(e)\r\n")
    assert "sysrq: HELP : loglevel(0-9) reboot(b)" in screen.fresh_text()


def test_a_character_after_a_cut_escape_is_kept():
    # systemd shortens unit names inside an escape sequence: ESC then '…' (UTF-8), even across
    # two reads; a terminal shows the '…', pyte alone drops it.
    from serial_console_kernel.engine.ingest import FastForwardStream

    screen = ConsoleScreen(80, 5)
    stream = FastForwardStream(screen)
    stream.feed("Started e2scrub_all.timer\x1b…etadata Check\r\n".encode())
    stream.feed(b"Started fstrim.timer\x1b")
    stream.feed("…weekly\x1b[1mbold\x1b[0m\r\n".encode())
    assert screen.rows_text()[:2] == ["Started e2scrub_all.timer…etadata Check",
                                      "Started fstrim.timer…weeklybold"]
    assert screen.buffer[1][27].bold and screen.buffer[1][27].data == "b"


def test_wrapped_rows_make_one_logical_line():
    screen = ConsoleScreen(10, 5)
    feed(screen, b"12345678\r\nroot@h:~# echo abcdefghij")
    assert screen.line_before_cursor() == "root@h:~# echo abcdefghij"
    assert screen.logical_lines()[-1] == "root@h:~# echo abcdefghij"
    feed(screen, b"\r\n$ ")
    assert screen.line_before_cursor() == "$ "
    # A row exactly as wide as the screen, then a real line break: two lines.
    feed(screen, b"\r\n0123456789\r\n# ")
    assert screen.line_before_cursor() == "# "


def test_text_since_any_offset_is_the_tail_of_what_was_drawn():
    screen = ConsoleScreen(20, 5)
    drawn = ""
    for n in range(6000):  # more chunks than are kept apart
        chunk = f"chunk {n}\n"
        screen._fresh(chunk)
        drawn += chunk
    for offset in (0, 1, len(drawn) - 9, len(drawn) - 20_000, len(drawn), len(drawn) + 5):
        assert screen.text_since(offset) == drawn[max(0, offset):], offset

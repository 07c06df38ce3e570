import pyte

from serial_console_kernel.engine.masking import Secrets
from serial_console_kernel.engine.screen import ConsoleScreen
from serial_console_kernel.engine.snapshot import take_snapshot


def screen_with(data: bytes, columns: int = 20, lines: int = 5) -> ConsoleScreen:
    screen = ConsoleScreen(columns, lines)
    pyte.ByteStream(screen).feed(data)
    return screen


def test_text_is_trimmed_and_starts_with_what_scrolled():
    snapshot = take_snapshot(screen_with(b"".join(b"row %d   \r\n" % i for i in range(7)) + b"$ "))
    assert snapshot.text() == "\n".join([f"row {i}" for i in range(7)] + ["$"])


def test_trailing_empty_rows_are_dropped():
    assert take_snapshot(screen_with(b"only\r\n")).text() == "only"


def test_left_out_lines_are_announced():
    screen = ConsoleScreen(20, 3, scrollback=2)
    pyte.ByteStream(screen).feed(b"".join(b"%d\r\n" % i for i in range(10)))
    text = take_snapshot(screen).text()
    assert text.splitlines()[0] == "[... 6 earlier lines left out here; %log keeps everything ...]"


def test_html_has_styles_and_the_cursor_but_no_ids():
    snapshot = take_snapshot(screen_with(b"\x1b[1;31mred\x1b[0m \x1b[7mrev\x1b[0m \x1b[4mu\x1b[0m"))
    html = snapshot.html()
    assert '<span style="color:#cd3131;font-weight:bold">red</span>' in html
    assert '<span style="color:#1e1e1e;background:#d4d4d4">rev</span>' in html
    assert "text-decoration:underline" in html
    assert '<span class="sc-cursor"> </span>' in html
    assert " id=" not in html


def test_same_screen_same_snapshot():
    data = b"\x1b[32mgreen\x1b[0m\r\nplain <b>&\r\n"
    first, second = take_snapshot(screen_with(data)), take_snapshot(screen_with(data))
    assert first.bundle() == second.bundle()
    assert "&lt;b&gt;&amp;" in first.html()


def test_secrets_are_masked_in_text_and_html():
    snapshot = take_snapshot(screen_with(b"pw: s3cret!\r\n", 20, 5), secrets=Secrets("s3cret!"))
    assert "s3cret" not in snapshot.text() and "s3cret" not in snapshot.html()
    assert "pw: *******" in snapshot.text()


def test_a_secret_that_wraps_or_changes_case_is_masked():
    secrets = Secrets("S3cr3t-Xyz!")
    screen = screen_with(b"x" * 15 + b"S3cr3t-Xyz!\r\n" + b"echo S3CR3T-XYZ!\r\n", 20, 5)
    snapshot = take_snapshot(screen, secrets)
    assert snapshot.rows[:3] == ["x" * 15 + "*****", "******", "echo ***********"]
    assert "3t-Xyz" not in snapshot.html() and "S3CR3T" not in snapshot.html()
    # It wrapped, then scrolled off the top: the kept lines are masked as one text too.
    screen = screen_with(b"x" * 15 + b"S3cr3t-Xyz!\r\n" + b"\r\n" * 6, 20, 5)
    assert take_snapshot(screen, secrets).scrolled[:2] == ["x" * 15 + "*****", "******"]


def test_256_colours_and_hidden_cursor():
    snapshot = take_snapshot(screen_with(b"\x1b[38;5;208mX\x1b[?25l"))
    assert "color:#ff8700" in snapshot.html()
    assert 'class="sc-cursor"' not in snapshot.html()


UNIFORM_ROWS = [
    b"plain <b>&</b> text   ",                       # cursor after trailing blanks
    b"plain\x1b[3D",                                  # cursor inside the text
    b"\x1b[44m\x1b[2Kblue bar\x1b[5G",                # a coloured clear: style to the margin
    b"\x1b[7m menu entry \x1b[m\x1b[1G",              # reverse video, cursor on its first cell
    b"\x1b[1;31mred bold\x1b[?25l",                   # hidden cursor
    b"\x1b[32mgreen\x1b[m plain",                     # two styles: the general path
    "wide \u754c x".encode(),                         # a wide character: the general path
    b"",                                              # an empty row with the cursor
]


def test_uniform_rows_render_as_the_general_path_does(monkeypatch):
    from serial_console_kernel.engine import snapshot as module

    fast_rows = []
    fast = module._uniform_row_html

    def counting(row, style, cursor_x):
        result = fast(row, style, cursor_x)
        fast_rows.append(result is not None)
        return result

    for data in UNIFORM_ROWS:
        monkeypatch.setattr(module, "_uniform_row_html", counting)
        quick = take_snapshot(screen_with(b"\x1b[2;1H" + data, columns=40)).html()
        monkeypatch.setattr(module, "_uniform_row_html", lambda row, style, cursor_x: None)
        general = take_snapshot(screen_with(b"\x1b[2;1H" + data, columns=40)).html()
        assert quick == general, data
    assert sum(fast_rows) >= 6  # the shortcut really ran on the uniform rows

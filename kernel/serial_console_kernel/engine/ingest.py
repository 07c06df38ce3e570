"""Fast-forward over floods.

A virtual serial port is not throttled: a VM can send megabytes in a second, and pyte emulates
about half a megabyte a second.  Most of a flood never reaches the final screen, so it does not
need emulating cell by cell:

- a run of plain lines (printable ASCII and colours, ending in CR LF) printed at the bottom row
  only scrolls away: its rows go straight to the scrollback, and only the last screenful is
  emulated;
- full-screen redraws (clear and home, then text placed with cursor moves) that a later redraw
  in the same chunk erases leave nothing behind but their colours, their text (for %wait) and
  the cursor's visibility.

Both are taken only when a cheap check proves the outcome is the one pyte would reach: the
parser is between sequences, no scrolling region, origin, insert or newline mode is set, the
charset is the default, and for redraws no byte of the skipped text can scroll.  Anything else
goes through pyte as before.  tests/test_ingest.py compares both paths on the same input.
"""

from __future__ import annotations

import re

import pyte
from pyte import modes

from .screen import ConsoleScreen

FAST_MIN = 8192  # characters: smaller chunks go straight to pyte
MIN_RUN = 3  # screenfuls of plain lines: shorter runs go to pyte
SGR = re.compile(r"\x1b\[([0-9;]*)m")
PLAIN_LINE = re.compile(r"(?:[\x20-\x7e]|\x1b\[[0-9;]*m)*\r")  # one line, before its \n
CLEAR_HOME = re.compile(r"\x1b\[(?:1;1)?H\x1b\[[023]?J|\x1b\[2J\x1b\[(?:1;1)?H")
REDRAW_TOKEN = re.compile(r"([\x20-\x7e]+)|\x1b\[([0-9;]*)([HfJKm])|\x1b\[\?25([hl])|(\r)|(\n)")
ESC_BEFORE_NON_ASCII = re.compile("\x1b(?=[^\x00-\x7f])")
STRING_START = re.compile("\x1b[]P_^X]|\x9d")  # OSC, DCS, APC, PM, SOS
# BEL, ST, CAN, SUB, ESC \ or any ESC; and a line feed: a title never spans lines, and a
# string cut short must not hide the lines after it.
STRING_END = re.compile("\x07|\x9c|[\x18\x1a\n]|\x1b\\\\?")
STRING_LIMIT = 4096
DEFAULT_CHARSET = pyte.charsets.LAT1_MAP
BLOCKING_MODES = {modes.DECOM, modes.IRM, modes.LNM}


def _plain(line: str) -> bool:
    if "\x1b" in line:
        return PLAIN_LINE.fullmatch(line) is not None
    # str methods run in C: the common case costs next to nothing.
    return line.endswith("\r") and line.isascii() and line[:-1].isprintable()


def _params(text: str) -> list[int]:
    # As pyte reads them: empty means 0, values are capped.
    return [min(int(value or 0), 9999) for value in text.split(";")]


class FastForwardStream(pyte.ByteStream):
    fast_min: float = FAST_MIN  # the tests set it out of reach to compare with plain emulation

    def __init__(self, screen: ConsoleScreen) -> None:
        super().__init__(screen)
        self.screen = screen
        self.fast_forwarded = 0  # characters accounted for without emulation
        self._held_escape = False
        self.malformed = 0  # escape sequences dropped because the emulation could not take them
        self._in_string = False  # inside an OSC/DCS/APC/PM/SOS string (see _strip_strings)
        self._string_length = 0

    def feed(self, data: bytes) -> None:  # type: ignore[override]
        text = self.utf8_decoder.decode(data) if self.use_utf8 else data.decode("latin-1")
        if self._held_escape:
            text, self._held_escape = "\x1b" + text, False
        if "\x1b" in text:
            # systemd cuts unit names inside an escape sequence: ESC then "…".  pyte would drop
            # the character with the ESC; a terminal shows it.  A trailing ESC waits for the
            # next chunk to tell which case it is.
            if text.endswith("\x1b"):
                text, self._held_escape = text[:-1], True
            text = ESC_BEFORE_NON_ASCII.sub("", text)
        if self._in_string or "\x1b" in text or "\x9d" in text:
            text = self._strip_strings(text)
        if len(text) < self.fast_min:
            pyte.Stream.feed(self, text)
            return
        redraws = self._redraw_span(text)
        if redraws is None:
            self._feed_lines(text)
            return
        start, end = redraws
        self._feed_lines(text[:start])
        if self._skip_redraws(text[start:end]):
            self.fast_forwarded += end - start
        else:
            self._feed_lines(text[start:end])
        self._feed_lines(text[end:])

    def _send_to_parser(self, data: str) -> bool | None:
        # A sequence the emulation cannot take (pyte raises on `ESC[1;2A`, `ESC[4J`, `ESC[¹A`,
        # …) is dropped, as a terminal drops what it does not understand, and counted; the
        # parser starts afresh on plain text.  Never an exception up into the reader.
        try:
            return super()._send_to_parser(data)
        except Exception:  # noqa: BLE001 - see above
            self.malformed += 1
            return self._taking_plain_text

    def _strip_strings(self, text: str) -> str:
        """Drop OSC, DCS, APC, PM and SOS strings (titles, hyperlinks, sixels: nothing a cell
        shows).  pyte waits for an OSC's end for ever, so one unterminated string would swallow
        all later output; here a string also ends at CAN, SUB, a line feed (kept) or any ESC,
        and after STRING_LIMIT characters."""
        kept: list[str] = []
        position = 0
        while position < len(text):
            if self._in_string:
                end = STRING_END.search(text, position)
                room = STRING_LIMIT - self._string_length
                stop = len(text) if end is None else end.start()
                if stop - position > room:
                    position += room  # too long: end it and show the rest
                    self._in_string = False
                    self.malformed += 1
                    continue
                if end is None:
                    self._string_length += len(text) - position
                    break
                self._in_string = False
                # ESC \ is the terminator; any other ESC begins the next sequence, and the line
                # feed is output.
                position = end.start() if end.group() in ("\x1b", "\n") else end.end()
                continue
            start = STRING_START.search(text, position)
            if start is None:
                kept.append(text[position:])
                break
            kept.append(text[position:start.start()])
            position = start.end()
            self._in_string, self._string_length = True, 0
        return "".join(kept)

    # -- common ------------------------------------------------------------------------------
    def _plain_state(self) -> bool:
        screen = self.screen
        return bool(self._taking_plain_text and not BLOCKING_MODES & screen.mode and screen.charset == 0
                and screen.g0_charset == DEFAULT_CHARSET
                and screen.margins in (None, (0, screen.lines - 1)))

    def _apply_colours(self, params: list[str]) -> None:
        """Only the colours after the last reset matter, and only they are applied."""
        start = 0
        for i in range(len(params) - 1, -1, -1):
            if _params(params[i])[0] == 0:
                start = i
                break
        for text in params[start:]:
            self.screen.select_graphic_rendition(*_params(text))

    # -- plain lines --------------------------------------------------------------------------
    def _feed_lines(self, text: str) -> None:
        screen = self.screen
        if len(text) < self.fast_min:
            pyte.Stream.feed(self, text)
            return
        lines = text.split("\n")
        fed = 0  # characters of `text` given to pyte or skipped
        offset = 0
        run_start: int | None = None
        run_offset = 0
        for i, line in enumerate(lines[:-1]):
            if _plain(line):
                if run_start is None:
                    run_start, run_offset = i, offset
            else:
                if run_start is not None and i - run_start > MIN_RUN * screen.lines:
                    fed = self._skip_plain(text, fed, lines, run_start, run_offset, i)
                run_start = None
            offset += len(line) + 1
        last = len(lines) - 1
        if run_start is not None and last - run_start > MIN_RUN * screen.lines:
            fed = self._skip_plain(text, fed, lines, run_start, run_offset, last)
        pyte.Stream.feed(self, text[fed:])

    def _skip_plain(self, text: str, fed: int, lines: list[str], start: int, offset: int,
                    end: int) -> int:
        """Lines start..end-1 are plain: emulate them until the cursor waits on the blank bottom
        row, skip all but the last screenful, and return how far `text` is consumed."""
        screen = self.screen
        last_skipped = end - (screen.lines - 1)  # exclusive
        pyte.Stream.feed(self, text[fed:offset])
        first_skipped = start
        while not self._at_blank_bottom():
            if first_skipped - start > screen.lines or last_skipped - first_skipped < screen.lines:
                return offset  # not there after a screenful: leave it all to pyte
            line = lines[first_skipped] + "\n"
            pyte.Stream.feed(self, line)
            offset += len(line)
            first_skipped += 1
        skip_to = offset + sum(len(line) + 1 for line in lines[first_skipped:last_skipped])
        block = text[offset:skip_to]
        colours = SGR.findall(block)
        if colours:
            block = SGR.sub("", block)
        texts = block[:-2].split("\r\n")
        columns = screen.columns
        if max(map(len, texts)) <= columns:
            rows = [line.rstrip() for line in texts]
        else:
            rows = []
            for line in texts:
                rows.extend(line[x:x + columns].rstrip() for x in range(0, len(line) or 1, columns))
        screen.fast_forward(rows, "\n".join(texts) + "\n")
        if colours:
            self._apply_colours(colours)
        self.fast_forwarded += skip_to - offset
        return skip_to

    def _at_blank_bottom(self) -> bool:
        screen = self.screen
        bottom = screen.lines - 1
        return (screen.cursor.x == 0 and screen.cursor.y == bottom and not screen.buffer.get(bottom)
                and modes.DECAWM in screen.mode and self._plain_state())

    # -- full-screen redraws ----------------------------------------------------------------
    @staticmethod
    def _redraw_span(text: str) -> tuple[int, int] | None:
        """From the first clear-and-home to the last: the redraws a later one erases."""
        clears = [match.start() for match in CLEAR_HOME.finditer(text)]
        return (clears[0], clears[-1]) if len(clears) > 1 else None

    def _skip_redraws(self, text: str) -> bool:
        screen = self.screen
        if not (self._plain_state() and modes.DECAWM in screen.mode):
            return False
        columns, bottom = screen.columns, screen.lines - 1
        y, x = screen.cursor.y, screen.cursor.x
        drawn: list[str] = []
        colours: list[str] = []
        cursor_shown = None
        line_feeds = 0
        position = 0
        for token in REDRAW_TOKEN.finditer(text):
            if token.start() != position:
                return False  # something not understood here: emulate it all
            position = token.end()
            plain, params, final, visibility, _, newline = token.groups()
            if plain is not None:
                drawn.append(plain)
                length = len(plain)
                while length:
                    if x == columns:
                        if y == bottom:
                            return False  # the wrap would scroll
                        y, x, line_feeds = y + 1, 0, line_feeds + 1
                    step = min(length, columns - x)
                    x, length = x + step, length - step
            elif final in ("H", "f"):
                values = _params(params)
                if len(values) > 2:
                    return False
                y = min(max((values[0] or 1) - 1, 0), bottom)
                x = min(max(((values[1] if len(values) > 1 else 0) or 1) - 1, 0), columns - 1)
            elif final == "m":
                colours.append(params)
            elif final in ("J", "K"):
                if ";" in params or _params(params)[0] > 3:
                    return False
            elif visibility is not None:
                cursor_shown = visibility == "h"
            elif newline is not None:
                if y == bottom:
                    return False
                y += 1
                line_feeds += 1
                drawn.append("\n")
            else:
                x = 0
        if position != len(text):
            return False
        if colours:
            self._apply_colours(colours)
        if cursor_shown is not None:
            (screen.set_mode if cursor_shown else screen.reset_mode)(modes.DECTCEM >> 5, private=True)
        screen.line_feeds += line_feeds
        screen._fresh("".join(drawn))
        return True

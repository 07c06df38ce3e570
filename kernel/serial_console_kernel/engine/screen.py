"""Terminal emulation: a pyte screen that keeps every line that scrolls off its top.

Lines that scroll away between two snapshots are kept (up to a cap) so a cell can show them
above the final screen; rows already shown in the previous snapshot are not shown twice.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import pyte
from pyte import modes
from pyte.screens import Char, Margins

DEFAULT_SCROLLBACK = 2000
FRESH_LIMIT = 1 << 20  # what %wait can look back over, in characters
ALTERNATE_SCREEN = {47, 1047, 1049}  # private modes: full-screen programs (pyte draws them in place)


class _PlainCells(dict):
    """A cell for each character, made once: placeholders are built from these."""

    def __init__(self, blank: Char) -> None:
        super().__init__()
        self.blank = blank

    def __missing__(self, char: str) -> Char:
        cell = self[char] = self.blank._replace(data=char)
        return cell


class ConsoleScreen(pyte.Screen):
    _rows_already_shown = 0  # pyte's __init__ moves the cursor before ours runs
    redrawn = False

    def __init__(self, columns: int = 80, lines: int = 25, scrollback: int = DEFAULT_SCROLLBACK):
        super().__init__(columns, lines)
        self.scrolled: deque[str] = deque(maxlen=scrollback)
        self.left_out = 0
        # Text drawn, for %wait/%expect and the echo of typed lines: a rolling buffer addressed
        # by absolute offsets (`drawn_total` is where the next character goes).
        self._drawn: list[str] = []
        self._drawn_size = 0
        self.drawn_total = 0
        self.shown_at = 0  # offset of the last snapshot: after it is what nobody has seen yet
        self.line_feeds = 0  # since the start, never reset (see ConsoleSession.progress)
        # Rows above the cursor at the last snapshot: when they scroll off they were seen already.
        # It is also the row where the next cell's output begins.
        self._rows_already_shown = 0
        # The screen was redrawn since the last snapshot (a clear, the cursor sent above the
        # rows a cell shows): a cell then shows the whole screen.
        self.redrawn = False
        self.wrapped: set[int] = set()  # rows that continue the row above (the text wrapped)
        self._drawing = False
        self._plain_cells = _PlainCells(self.default_char)

    # -- what arrived since the last snapshot ----------------------------------------------
    def draw(self, data: str) -> None:
        # A line wrapping at the right margin is still one line of output: keep it whole, so
        # that %wait finds text that happens to wrap (pyte wraps through linefeed()).
        self._drawing = True
        try:
            if modes.IRM in self.mode and len(data) > 1 and self._plain_ascii(data):
                self._draw_inserting(data)
            else:
                super().draw(data)
        finally:
            self._drawing = False
        self._fresh(data)

    def _plain_ascii(self, data: str) -> bool:
        return (data.isascii() and data.isprintable() and not self.charset
                and self.g0_charset == pyte.charsets.LAT1_MAP)

    def _draw_inserting(self, data: str) -> None:
        """What pyte's draw does in insert mode, a row's worth at a time: pyte inserts one cell
        per character (a pass over the row each), 0.2 MB/s on a long line."""
        columns, attrs = self.columns, self.cursor.attrs
        position = 0
        while position < len(data):
            if self.cursor.x == columns:
                if modes.DECAWM not in self.mode:
                    super().draw(data[position:])  # no wrap: each character overwrites the last
                    return
                self.dirty.add(self.cursor.y)
                self.carriage_return()
                self.linefeed()
            x, y = self.cursor.x, self.cursor.y
            count = min(len(data) - position, columns - x)
            line = self.buffer[y]
            for column in range(columns - 1, x + count - 1, -1):
                moved = line.get(column - count)
                if moved is None:
                    line.pop(column, None)
                else:
                    line[column] = moved
            for offset, char in enumerate(data[position:position + count]):
                line[x + offset] = attrs._replace(data=char)
            line.pop(columns, None)
            position += count
            self.cursor.x = x + count
            self.dirty.add(y)

    def linefeed(self) -> None:
        super().linefeed()
        self.line_feeds += 1
        if self._drawing:
            self.wrapped.add(self.cursor.y)
        else:
            self.wrapped.discard(self.cursor.y)
            self._fresh("\n")

    def _fresh(self, text: str) -> None:
        self._drawn.append(text)
        self._drawn_size += len(text)
        self.drawn_total += len(text)
        if self._drawn_size > 2 * FRESH_LIMIT:
            joined = "".join(self._drawn)[-FRESH_LIMIT:]
            self._drawn, self._drawn_size = [joined], len(joined)
        elif len(self._drawn) > 4096:  # many small draws: one string, now and then
            self._drawn = ["".join(self._drawn)]

    def text_since(self, offset: int) -> str:
        """What was drawn from the absolute `offset` on (as far back as the buffer reaches).
        Only the chunks it needs are joined: a wait asks after every chunk that arrives, and
        joining the whole buffer each time cost 0.3 ms per small chunk with 1 MB behind it."""
        wanted = self.drawn_total - max(offset, self.drawn_total - self._drawn_size)
        if wanted <= 0:
            return ""
        parts, size = [], 0
        for chunk in reversed(self._drawn):
            parts.append(chunk)
            size += len(chunk)
            if size >= wanted:
                break
        text = "".join(reversed(parts))
        return text[len(text) - wanted:]

    def fresh_text(self) -> str:
        """What was drawn since the last snapshot."""
        return self.text_since(self.shown_at)

    @property
    def cell_start_row(self) -> int:
        """The row where this cell's output begins (the cursor row of the last snapshot)."""
        return self._rows_already_shown

    # -- what scrolled away -------------------------------------------------------------
    def index(self) -> None:
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if self.cursor.y == bottom:
            if top == 0 and bottom == self.lines - 1:
                if self._rows_already_shown > 0:
                    self._rows_already_shown -= 1
                else:
                    self._keep(self.row_text(0))
            self.wrapped = {y - 1 if top < y <= bottom else y for y in self.wrapped
                            if not (y == top and top < bottom)}
        super().index()

    def _keep(self, line: str) -> None:
        if len(self.scrolled) == self.scrolled.maxlen:
            self.left_out += 1
        self.scrolled.append(line)

    def fast_forward(self, rows: list[str], fresh: str) -> None:
        """What printing `rows` (plain text, one row each) at the bottom line does, for rows that
        the caller knows will all scroll away: the rows above the cursor and all but the last
        `lines - 1` of `rows` go to the scrollback now; the rest are left on screen as plain
        placeholders for the coming lines to scroll off.  The cursor stays on the blank bottom
        row, as after any linefeed there.  See ingest.py."""
        above = self.lines - 1
        self.line_feeds += len(rows)
        rows = [self.row_text(y) for y in range(above)] + rows
        gone = rows[:-above]
        shown = min(self._rows_already_shown, len(gone))
        self._rows_already_shown -= shown
        gone = gone[shown:]
        if self.scrolled.maxlen is not None:
            self.left_out += max(0, len(self.scrolled) + len(gone) - self.scrolled.maxlen)
        self.scrolled.extend(gone)
        self.buffer.clear()
        cells = self._plain_cells
        for y, line in enumerate(rows[-above:]):
            if line:
                self.buffer[y].update(enumerate(map(cells.__getitem__, line)))
        self.dirty.update(range(self.lines))
        self.wrapped.clear()
        self._fresh(fresh)

    def set_scrollback(self, lines: int) -> None:
        self.scrolled = deque(self.scrolled, maxlen=max(0, lines))

    def take_scrolled(self) -> tuple[list[str], int]:
        """Lines scrolled off since the last call, and how many more were left out (the cap)."""
        lines, left_out = list(self.scrolled), self.left_out
        self.scrolled.clear()
        self.left_out = 0
        self.shown_at = self.drawn_total
        self._rows_already_shown = self.cursor.y
        self.redrawn = False
        return lines, left_out

    # -- redraws: the cursor sent above the cell's rows, the screen cleared or scrolled back ---
    def _moved(self) -> None:
        if self.cursor.y < self._rows_already_shown:
            self.redrawn = True

    def cursor_position(self, *args: Any, **kwargs: Any) -> None:
        super().cursor_position(*args, **kwargs)
        self._moved()

    def cursor_to_line(self, *args: Any, **kwargs: Any) -> None:
        super().cursor_to_line(*args, **kwargs)
        self._moved()

    def cursor_up(self, *args: Any, **kwargs: Any) -> None:
        super().cursor_up(*args, **kwargs)
        self._moved()

    def reverse_index(self) -> None:
        self.redrawn = True
        self.wrapped.clear()
        super().reverse_index()

    def insert_lines(self, *args: Any, **kwargs: Any) -> None:
        self.redrawn = True
        self.wrapped.clear()
        super().insert_lines(*args, **kwargs)

    def delete_lines(self, *args: Any, **kwargs: Any) -> None:
        self.redrawn = True
        self.wrapped.clear()
        super().delete_lines(*args, **kwargs)

    def set_mode(self, *modes_set: int, **kwargs: Any) -> None:
        if kwargs.get("private") and set(modes_set) & ALTERNATE_SCREEN:
            self.redrawn = True
        super().set_mode(*modes_set, **kwargs)

    def reset(self) -> None:  # ESC c; pyte's __init__ calls it too
        super().reset()
        self.redrawn = True
        self.wrapped = set()

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        self.redrawn = True
        self.wrapped.clear()
        super().resize(lines, columns)

    # -- pyte quirks ----------------------------------------------------------------------
    def erase_in_line(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        if how in (0, 1, 2):  # pyte fails on others (ESC[5K); a terminal ignores them
            super().erase_in_line(how)

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        if how not in (0, 1, 2, 3):  # ESC[4J: pyte fails, a terminal ignores it
            return
        super().erase_in_display(how)
        y = self.cursor.y
        if how in (2, 3):
            self._rows_already_shown = 0
            self.wrapped.clear()
        elif how == 0:  # the rows from the cursor down were erased: nothing there was shown
            self._rows_already_shown = min(self._rows_already_shown, y)
            self.wrapped = {row for row in self.wrapped if row < y or (row == y and self.cursor.x)}
        elif how == 1:
            self.wrapped = {row for row in self.wrapped if row > y}
        if how in (1, 2, 3):
            self.redrawn = True
        attrs = self.cursor.attrs
        if attrs.bg == "default" and not attrs.reverse:
            return
        # pyte re-colours only cells written before (rows are sparse): a coloured clear must
        # colour the whole area, as a real terminal does.
        rows = {0: range(self.cursor.y + 1, self.lines), 1: range(self.cursor.y)}.get(
            how, range(self.lines)
        )
        for y in rows:
            line = self.buffer[y]
            for x in range(self.columns):
                line[x] = attrs

    def write_process_input(self, data: str) -> None:
        # Never answer terminal queries (ESC[6n after every busybox prompt): an answer races with
        # what the user types and once turned a SysRq BREAK into garbage. ash works without it.
        return

    # -- reading --------------------------------------------------------------------------
    def row_text(self, y: int) -> str:
        line = self.buffer.get(y)
        if not line:
            return ""
        return "".join(line[x].data for x in range(self.columns)).rstrip()

    def rows_text(self) -> list[str]:
        rows = [self.row_text(y) for y in range(self.lines)]
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def logical_lines(self) -> list[str]:
        """The screen's rows, those that continue a wrapped row joined to it."""
        lines: list[str] = []
        for y, row in enumerate(self.rows_text()):
            if y in self.wrapped and lines:
                width = max(self.columns, -(-len(lines[-1]) // self.columns) * self.columns)
                lines[-1] = lines[-1].ljust(width) + row
            else:
                lines.append(row)
        return lines

    def line_before_cursor(self) -> str:
        """The logical line up to the cursor: the cursor row and the rows it continues."""
        y = self.cursor.y
        parts = [self.text_before_cursor()]
        while y in self.wrapped and y > 0:
            y -= 1
            line = self.buffer.get(y)
            parts.append("".join(line[x].data for x in range(self.columns)) if line else "")
        return "".join(reversed(parts))

    def text_before_cursor(self) -> str:
        line = self.buffer.get(self.cursor.y)
        if not line:
            return ""
        return "".join(line[x].data for x in range(min(self.cursor.x, self.columns)))

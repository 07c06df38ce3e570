"""Terminal emulation: a pyte screen that keeps every line that scrolls off its top.

Lines that scroll away between two snapshots are kept (up to a cap) so a cell can show them
above the final screen; rows already shown in the previous snapshot are not shown twice.
"""

from __future__ import annotations

from collections import deque

import pyte
from pyte.screens import Char, Margins

DEFAULT_SCROLLBACK = 2000
FRESH_LIMIT = 1 << 20  # what %wait can look back over, in characters


class _PlainCells(dict):
    """A cell for each character, made once: placeholders are built from these."""

    def __init__(self, blank: Char) -> None:
        super().__init__()
        self.blank = blank

    def __missing__(self, char: str) -> Char:
        cell = self[char] = self.blank._replace(data=char)
        return cell


class ConsoleScreen(pyte.Screen):
    def __init__(self, columns: int = 80, lines: int = 25, scrollback: int = DEFAULT_SCROLLBACK):
        super().__init__(columns, lines)
        self.scrolled: deque[str] = deque(maxlen=scrollback)
        self.left_out = 0
        # Text drawn since the last snapshot, for %wait/%expect: output nobody has seen yet.
        self.fresh: list[str] = []
        self.fresh_size = 0
        self.line_feeds = 0  # since the start, never reset (see ConsoleSession.progress)
        # Rows above the cursor at the last snapshot: when they scroll off they were seen already.
        self._rows_already_shown = 0
        self._drawing = False
        self._plain_cells = _PlainCells(self.default_char)

    # -- what arrived since the last snapshot ----------------------------------------------
    def draw(self, data: str) -> None:
        # A line wrapping at the right margin is still one line of output: keep it whole, so
        # that %wait finds text that happens to wrap (pyte wraps through linefeed()).
        self._drawing = True
        try:
            super().draw(data)
        finally:
            self._drawing = False
        self._fresh(data)

    def linefeed(self) -> None:
        super().linefeed()
        self.line_feeds += 1
        if not self._drawing:
            self._fresh("\n")

    def _fresh(self, text: str) -> None:
        self.fresh.append(text)
        self.fresh_size += len(text)
        if self.fresh_size > 2 * FRESH_LIMIT:
            joined = "".join(self.fresh)[-FRESH_LIMIT:]
            self.fresh, self.fresh_size = [joined], len(joined)

    def fresh_text(self) -> str:
        if len(self.fresh) > 1:
            self.fresh = ["".join(self.fresh)]
        return self.fresh[0] if self.fresh else ""

    # -- what scrolled away -------------------------------------------------------------
    def index(self) -> None:
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if self.cursor.y == bottom and top == 0 and bottom == self.lines - 1:
            self._scroll_off(self.row_text(0))
        super().index()

    def _scroll_off(self, line: str) -> None:
        if self._rows_already_shown > 0:
            self._rows_already_shown -= 1
        else:
            self._keep(line)

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
        self.line_feeds += len(rows)
        self._fresh(fresh)

    def set_scrollback(self, lines: int) -> None:
        self.scrolled = deque(self.scrolled, maxlen=max(0, lines))

    def take_scrolled(self) -> tuple[list[str], int]:
        """Lines scrolled off since the last call, and how many more were left out (the cap)."""
        lines, left_out = list(self.scrolled), self.left_out
        self.scrolled.clear()
        self.left_out = 0
        self.fresh, self.fresh_size = [], 0
        self._rows_already_shown = self.cursor.y
        return lines, left_out

    # -- pyte quirks ----------------------------------------------------------------------
    def erase_in_display(self, how: int = 0, *args, **kwargs) -> None:
        super().erase_in_display(how, *args, **kwargs)
        if how in (2, 3):
            self._rows_already_shown = 0
        elif how == 0:  # the rows from the cursor down were erased: nothing there was shown
            self._rows_already_shown = min(self._rows_already_shown, self.cursor.y)
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

    def text_before_cursor(self) -> str:
        line = self.buffer.get(self.cursor.y)
        if not line:
            return ""
        return "".join(line[x].data for x in range(min(self.cursor.x, self.columns)))

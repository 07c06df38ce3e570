"""Terminal emulation: a pyte screen that keeps every line that scrolls off its top.

Lines that scroll away between two snapshots are kept (up to a cap) so a cell can show them
above the final screen; rows already shown in the previous snapshot are not shown twice.
"""

from __future__ import annotations

from collections import deque

import pyte
from pyte.screens import Margins

DEFAULT_SCROLLBACK = 2000
FRESH_LIMIT = 1 << 20  # what %wait can look back over, in characters


class ConsoleScreen(pyte.Screen):
    def __init__(self, columns: int = 80, lines: int = 25, scrollback: int = DEFAULT_SCROLLBACK):
        super().__init__(columns, lines)
        self.scrolled: deque[str] = deque(maxlen=scrollback)
        self.left_out = 0
        # Text drawn since the last snapshot, for %wait/%expect: output nobody has seen yet.
        self.fresh: list[str] = []
        self.fresh_size = 0
        # Rows above the cursor at the last snapshot: when they scroll off they were seen already.
        self._rows_already_shown = 0

    # -- what arrived since the last snapshot ----------------------------------------------
    def draw(self, data: str) -> None:
        super().draw(data)
        self._fresh(data)

    def linefeed(self) -> None:
        super().linefeed()
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
            if self._rows_already_shown > 0:
                self._rows_already_shown -= 1
            else:
                self._keep(self.row_text(0))
        super().index()

    def _keep(self, line: str) -> None:
        if len(self.scrolled) == self.scrolled.maxlen:
            self.left_out += 1
        self.scrolled.append(line)

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

"""Engine: a snapshot of the console, as text/plain and text/html.

A cell shows what it produced: the lines that scrolled off, then the screen rows from the row
where its input began (the whole screen when it was redrawn: a boot menu, an editor).  The HTML
always shows the whole screen, the rows from before the cell dimmed, so the context stays.

Both renderings are deterministic (nbval compares them): no clocks, no ids, stable CSS.
"""

from __future__ import annotations

import html
import operator
from dataclasses import dataclass, field
from itertools import groupby, repeat
from typing import cast

from .masking import Secrets
from .screen import ConsoleScreen

NO_SECRETS = Secrets()

_PALETTE = {
    "black": "#000000", "red": "#cd3131", "green": "#0dbc79", "brown": "#e5e510",
    "yellow": "#e5e510", "blue": "#2472c8", "magenta": "#bc3fbc", "cyan": "#11a8cd",
    "white": "#e5e5e5", "brightblack": "#666666", "brightred": "#f14c4c",
    "brightgreen": "#23d18b", "brightbrown": "#f5f543", "brightyellow": "#f5f543",
    "brightblue": "#3b8eea", "brightmagenta": "#d670d6", "brightcyan": "#29b8db",
    "brightwhite": "#ffffff",
}
_FOREGROUND = "#d4d4d4"
_BACKGROUND = "#1e1e1e"
STYLE = (
    "<style>.sc-screen{background:#1e1e1e;color:#d4d4d4;padding:4px 6px;line-height:1.2;"
    "font-family:monospace;white-space:pre;overflow-x:auto}"
    ".sc-scrolled{display:block;color:#a0a0a0;border-bottom:1px dashed #555}"
    ".sc-before{opacity:.55}"
    ".sc-cursor{outline:1px solid #d4d4d4;background:#d4d4d4;color:#1e1e1e}</style>"
)


@dataclass
class Snapshot:
    rows: list[str]
    scrolled: list[str] = field(default_factory=list)
    left_out: int = 0
    html_rows: list[str] = field(default_factory=list)
    cursor: tuple[int, int] = (0, 0)
    size: tuple[int, int] = (80, 25)
    first_row: int = 0  # screen rows above it were shown by an earlier cell

    def text(self) -> str:
        lines = []
        if self.left_out:
            lines.append(left_out_note(self.left_out))
        lines += self.scrolled
        lines += self.rows
        return "\n".join(lines)

    def html(self) -> str:
        parts = [STYLE, '<pre class="sc-screen">']
        if self.left_out or self.scrolled:
            head = [html.escape(left_out_note(self.left_out))] if self.left_out else []
            body = "\n".join(head + [html.escape(line) for line in self.scrolled])
            parts.append(f'<span class="sc-scrolled">{body}</span>')
        before, rows = self.html_rows[:self.first_row], self.html_rows[self.first_row:]
        if before:
            parts.append('<span class="sc-before">' + "\n".join(before) + "</span>"
                         + ("\n" if rows else ""))
        parts.append("\n".join(rows))
        parts.append("</pre>")
        return "".join(parts)

    def bundle(self) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.html()}


def left_out_note(count: int) -> str:
    return f"[... {count} earlier lines left out here; %log keeps everything ...]"


def take_snapshot(screen: ConsoleScreen, secrets: Secrets = NO_SECRETS, full: bool = False) -> Snapshot:
    """Consume the lines scrolled since the last snapshot and render what this cell produced
    (`full`: the whole screen)."""
    first_row = 0 if full or screen.redrawn else screen.cell_start_row
    scrolled, left_out = screen.take_scrolled()
    return render(screen, secrets, scrolled, left_out, first_row)


def render(screen: ConsoleScreen, secrets: Secrets = NO_SECRETS, scrolled: list[str] | None = None,
           left_out: int = 0, first_row: int = 0) -> Snapshot:
    """Render the screen as it is, consuming nothing (the live view uses this)."""
    grid = _grid(screen)
    secrets.cells(grid)
    scrolled = secrets.pieces(scrolled or [])
    rows = ["".join(map(_DATA, row)).rstrip() for row in grid]
    last = len(rows)
    while last and not rows[last - 1]:
        last -= 1
    # After the last column the cursor waits to wrap; a terminal shows it on that column.
    cursor_y, cursor_x = screen.cursor.y, min(screen.cursor.x, screen.columns - 1)
    html_last = max(last, cursor_y + 1) if not screen.cursor.hidden else last
    html_rows = [
        _row_html(grid[y], cursor_x if y == cursor_y and not screen.cursor.hidden else -1)
        for y in range(html_last)
    ]
    first_row = min(first_row, cursor_y, html_last)
    return Snapshot(
        rows=rows[first_row:last],
        scrolled=scrolled,
        left_out=left_out,
        html_rows=html_rows,
        cursor=(cursor_y, cursor_x),
        size=(screen.columns, screen.lines),
        first_row=first_row,
    )


def _grid(screen: ConsoleScreen) -> list[list]:
    default = screen.default_char
    grid = []
    for y in range(screen.lines):
        line = screen.buffer.get(y)
        # dict.get in C: the row's __missing__ would run Python code for every blank cell.
        grid.append(list(map(line.get, range(screen.columns), repeat(default, screen.columns)))
                    if line else [default] * screen.columns)
    return grid


def _color(name: str, fallback: str) -> str:
    if name == "default":
        return fallback
    if name in _PALETTE:
        return _PALETTE[name]
    if len(name) == 6 and all(c in "0123456789abcdefABCDEF" for c in name):
        return "#" + name.lower()
    return fallback


_ATTRS = operator.itemgetter(1, 2, 3, 4, 5, 6, 7)  # fg bg bold italics underscore strike reverse
_DATA = operator.itemgetter(0)
_STYLES: dict[tuple, str] = {}


def _style(attrs: tuple) -> str:
    """CSS for a cell's attributes; cached, since a screen holds only a few combinations."""
    style = _STYLES.get(attrs)
    if style is None:
        if len(_STYLES) > 4096:  # truecolour output could make it grow without end
            _STYLES.clear()
        style = _STYLES[attrs] = _css(*attrs)
    return style


def _css(fg: str, bg: str, bold: bool, italics: bool, underscore: bool, strikethrough: bool,
         reverse: bool) -> str:
    fg, bg = _color(fg, _FOREGROUND), _color(bg, _BACKGROUND)
    if reverse:
        fg, bg = bg, fg
    rules = []
    if fg != _FOREGROUND:
        rules.append(f"color:{fg}")
    if bg != _BACKGROUND:
        rules.append(f"background:{bg}")
    if bold:
        rules.append("font-weight:bold")
    if italics:
        rules.append("font-style:italic")
    decorations = [d for d, on in (("underline", underscore), ("line-through", strikethrough)) if on]
    if decorations:
        rules.append("text-decoration:" + " ".join(decorations))
    return ";".join(rules)


def _row_html(row: list, cursor_x: int) -> str:
    attrs = list(map(_ATTRS, row))  # in C: this runs for every cell
    if attrs.count(attrs[0]) == len(attrs):
        fast = _uniform_row_html(row, _style(attrs[0]), cursor_x)
        if fast is not None:
            return fast
    known = list(map(_STYLES.get, attrs))
    styles = [_style(key) for key in attrs] if None in known else cast("list[str]", known)
    # Trailing default blanks carry nothing; keep coloured ones (a coloured clear, a menu bar).
    end = len(row)
    while end and row[end - 1].data in (" ", "") and not styles[end - 1]:
        end -= 1
    end = max(end, cursor_x + 1)
    out: list[str] = []
    for style, cells in groupby(range(end), styles.__getitem__):
        run = list(cells)
        if run[0] <= cursor_x <= run[-1]:
            _run_html(out, style, row, run[0], cursor_x)
            out.append(f'<span class="sc-cursor">{html.escape(row[cursor_x].data or " ")}</span>')
            _run_html(out, style, row, cursor_x + 1, run[-1] + 1)
        else:
            _run_html(out, style, row, run[0], run[-1] + 1)
    return "".join(out)


def _uniform_row_html(row: list, style: str, cursor_x: int) -> str | None:
    """Most rows are one style and one character per cell: render those without grouping."""
    datas = list(map(_DATA, row))
    text = "".join(datas)
    if len(text) != len(datas) or "" in datas:
        return None
    end = len(text.rstrip(" ")) if not style else len(text)
    if cursor_x < 0:
        out = [html.escape(text[:end])] if end else []
    else:
        end = max(end, cursor_x + 1)
        out = [html.escape(text[:cursor_x])] if cursor_x else []
        cursor = f'<span class="sc-cursor">{html.escape(text[cursor_x])}</span>'
        rest = html.escape(text[cursor_x + 1:end])
        if style:
            out = [f'<span style="{style}">{out[0]}</span>'] if out else []
            out.append(cursor)
            if rest:
                out.append(f'<span style="{style}">{rest}</span>')
            return "".join(out)
        return "".join(out) + cursor + rest
    if style and out:
        return f'<span style="{style}">{out[0]}</span>'
    return "".join(out)


def _run_html(out: list[str], style: str, row: list, start: int, stop: int) -> None:
    if start >= stop:
        return
    text = html.escape("".join(map(_DATA, row[start:stop])))
    out.append(f'<span style="{style}">{text}</span>' if style else text)

"""Engine: secrets are masked wherever text leaves the kernel.

A console echoes what it is sent, and not always as it was typed: in another case (`S3CR3T`),
wrapped at the last column, with colour codes, cursor moves or backspaces in the middle.  What
a terminal would show is what is matched, case-insensitively; every character of a match
becomes `*`.
"""

from __future__ import annotations

import re

# What a terminal does not print: escape sequences and the C0 controls but tab and line feed.
# A backspace is handled apart (it takes back the character before it).
_INVISIBLE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]|\x1b"
    r"|[\x00-\x08\x0b-\x1f\x7f]"
)


class Secrets:
    """The secrets typed in this kernel: shared by its sessions, transcripts and output, so a
    reconnect (a console server that replays its buffer) masks them too."""

    def __init__(self, *secrets: str) -> None:
        self._secrets: tuple[str, ...] = ()
        self.pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            # Longest first, so a secret that contains another is masked whole.
            self._secrets = tuple(sorted((*self._secrets, secret), key=len, reverse=True))
            self.pattern = re.compile("|".join(map(re.escape, self._secrets)), re.IGNORECASE)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    @property
    def longest(self) -> int:
        return len(self._secrets[0]) if self._secrets else 0

    def text(self, text: str) -> str:
        """Plain text (a message, a line we print)."""
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda match: "*" * len(match.group()), text)

    def pieces(self, pieces: list[str]) -> list[str]:
        """Rows or lines read as one text, so a secret that wraps from one to the next is found."""
        if self.pattern is None:
            return pieces
        joined = "".join(pieces)
        spans = [match.span() for match in self.pattern.finditer(joined)]
        if not spans:
            return pieces
        out, start = [], 0
        for piece in pieces:
            end = start + len(piece)
            chars = list(piece)
            for low, high in spans:
                for i in range(max(low, start), min(high, end)):
                    chars[i - start] = "*"
            out.append("".join(chars))
            start = end
        return out

    def cells(self, grid: list[list]) -> None:
        """A screen of pyte cells, in place: a match may run over the end of a row."""
        if self.pattern is None:
            return
        where = [(y, x) for y, row in enumerate(grid) for x, cell in enumerate(row) if cell.data]
        text = "".join(grid[y][x].data for y, x in where)
        if len(text) != len(where):  # a combined character holds more than one code point
            text = "".join(grid[y][x].data[:1] for y, x in where)
        for match in self.pattern.finditer(text):
            for y, x in where[match.start():match.end()]:
                grid[y][x] = grid[y][x]._replace(data="*")

    def stream(self, text: str) -> str:
        """Raw console output (the transcript): matched on what a terminal would show, with
        escape sequences, controls and backspaces applied; the raw span of a match, escapes
        and all, becomes as many `*` as the secret has characters."""
        pattern = self.pattern
        if pattern is None:
            return text
        text = self.text(text)  # as sent, too: inside a title, where no terminal shows it
        if "\b" not in text and not pattern.search(_INVISIBLE.sub("", text)):
            return text  # the common case, in C
        shown: list[str] = []
        raw_index: list[int] = []
        position = 0
        for token in _INVISIBLE.finditer(text):
            _visible(text, position, token.start(), shown, raw_index)
            if token.group() == "\b" and shown:
                shown.pop()
                raw_index.pop()
            position = token.end()
        _visible(text, position, len(text), shown, raw_index)
        visible = "".join(shown)
        for match in reversed(list(pattern.finditer(visible))):
            low, high = raw_index[match.start()], raw_index[match.end() - 1] + 1
            text = text[:low] + "*" * (match.end() - match.start()) + text[high:]
        return text


def _visible(text: str, start: int, end: int, shown: list[str], raw_index: list[int]) -> None:
    shown.extend(text[start:end])
    raw_index.extend(range(start, end))

"""Keystrokes in, lines out: the line editing and key decoding every simulated console shares."""

from __future__ import annotations

from dataclasses import dataclass

CLEAR = "\x1b[2J\x1b[H"
ARROWS = {"A": "Up", "B": "Down", "C": "Right", "D": "Left"}
EMS_FKEYS = {str(n): f"F{n}" for n in range(1, 10)} | {"0": "F10", "!": "F11", "@": "F12"}


@dataclass
class Key:
    """One decoded keystroke: `char` for text, `name` for special keys."""

    char: str = ""
    name: str = ""


class KeyDecoder:
    """Bytes → keys: arrows (ESC [ A), EMS function keys (ESC 8), Esc Tab; a lone Esc is
    known only when nothing follows it, which `flush` decides."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> list[Key]:
        keys, data = [], self._pending + text
        self._pending = ""
        i = 0
        while i < len(data):
            char = data[i]
            if char != "\x1b":
                keys.append(Key(char=char))
                i += 1
                continue
            rest = data[i + 1:]
            if not rest:
                self._pending = data[i:]
                break
            if rest[0] == "[":
                if len(rest) < 2:
                    self._pending = data[i:]
                    break
                end = 1
                while end < len(rest) and not rest[end].isalpha() and rest[end] != "~":
                    end += 1
                if end >= len(rest):
                    self._pending = data[i:]
                    break
                sequence = rest[1:end + 1]
                keys.append(Key(name=ARROWS.get(sequence, "CSI " + sequence), char="[" + sequence))
                i += end + 2
            elif rest[0] == "\t":
                keys.append(Key(name="EscTab"))
                i += 2
            elif rest[0] in EMS_FKEYS:
                keys.append(Key(name=EMS_FKEYS[rest[0]]))
                i += 2
            elif rest[0] == "\x1b":
                keys.append(Key(name="Esc"))
                i += 1
            else:
                keys.append(Key(name="Esc"))
                i += 1
        return keys

    def flush(self) -> list[Key]:
        """Nothing followed an Esc: it was a lone Esc."""
        if self._pending:
            self._pending = ""
            return [Key(name="Esc")]
        return []

    @property
    def waiting(self) -> bool:
        return bool(self._pending)


class LineEditor:
    """Echoes what is typed, handles Backspace, and hands over a line on Enter."""

    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length  # None: readline's lines have no limit
        self.buffer = ""
        self.echo = True
        self.mask = ""  # e.g. "*" for a password, "" with echo off

    def key(self, key: Key) -> tuple[str, str | None]:
        """Returns (what to echo, the finished line or None)."""
        char = key.char
        if char in ("\r", "\n"):
            line, self.buffer = self.buffer, ""
            return "\r\n", line
        if char in ("\x7f", "\b"):
            if self.buffer:
                self.buffer = self.buffer[:-1]
                return ("\b \b" if self.echo or self.mask else ""), None
            return "", None
        if not char or (len(char) == 1 and ord(char) < 32 and char != "\t"):
            return "", None
        if self.max_length is not None and len(self.buffer) + len(char) > self.max_length:
            return "\a", None
        self.buffer += char
        if not self.echo:
            return "", None
        return (self.mask * len(char) if self.mask else char), None


def crlf(text: str) -> str:
    """Console output uses CR LF; write text with \\n and send it with CR LF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")

"""What a user can tune per notebook; each field has a magic of the same name."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConsoleError
from .prompts import DEFAULT_PROMPT

ENTER = {"cr": "\r", "lf": "\n", "crlf": "\r\n"}


@dataclass
class Settings:
    prompt: str = DEFAULT_PROMPT
    timeout: float = 30.0
    quiet_ms: float = 400.0
    enter: str = "cr"
    txdelay_ms: float = 0.0
    # Text longer than this goes in pieces, each after the echo of the one before came back:
    # Azure cuts a paste at 2048 characters, and a UART's buffer is smaller still.  0: no pieces.
    paste_limit: int = 2048
    reconnect: bool = True  # open the connection again when it drops
    logout: str = "auto"  # at disconnect: auto (when signed in here), off, or a line to type
    idle_logout_min: float = 0.0  # sign out after this long without a cell; 0: never
    columns: int = 80
    lines: int = 25
    scrollback: int = 2000
    keys: str = "xterm"
    baud: int = 115200


def parse_size(text: str) -> tuple[int, int]:
    """'100x40' → (100, 40): columns by rows."""
    try:
        columns, lines = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise ConsoleError(f"bad size {text!r}: write COLUMNSxROWS, e.g. 100x40") from None
    if not (10 <= columns <= 500 and 2 <= lines <= 300):
        raise ConsoleError(f"size {text} out of range: 10-500 columns, 2-300 rows")
    return columns, lines

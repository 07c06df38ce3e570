"""How a magic is declared: its usage, help, arguments and the function that runs it.

Each group module (connection, keyboard, settings, power, panel, notes) declares its magics
next to their functions; `magics/__init__` collects them, so a magic exists exactly when it is
declared."""

from __future__ import annotations

import argparse
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import regex

from ...engine.patterns import Pattern, compile_pattern

if TYPE_CHECKING:
    from ..cell import Cell

# A magic's function: the cell it runs in and its parsed arguments (the raw text for raw
# magics); True when the cell should answer with the screen.
Run = Callable[["Cell", Any], Awaitable[bool]]


@dataclass(frozen=True)
class Arg:
    flags: tuple[str, ...]
    options: dict = field(default_factory=dict)


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Magic:
    name: str
    usage: str
    help: str
    args: tuple[Arg, ...] = ()
    raw: bool = False  # the rest of the line is one text argument, taken as typed
    quoted_words: bool = False  # positional words keep their quotes (a command line for exec:)
    run: Run | None = None
    touches: bool = False  # it acts on the machine: an error shows the screen (the function's
    # return value says whether a success does)

    def options(self) -> list[str]:
        return [flag for a in self.args for flag in a.flags if flag.startswith("--")]


def number(low: float, high: float, unit: str = "", kind: type = float) -> Callable[[str], float]:
    """An argparse type: a finite number within [low, high] (nan and inf are not numbers)."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number from {low:g} to {high:g}{unit}")
        return value

    return parse


SECONDS = number(0.001, 86400, " seconds")
TIMEOUT = arg("--timeout", type=SECONDS, metavar="S", help="seconds before giving up")



def parse_pattern(text: str) -> Pattern:
    """`/REGEX/` is a regular expression; anything else is literal text."""
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        return compile_pattern(text[1:-1], regex.MULTILINE)
    return compile_pattern(regex.escape(text))

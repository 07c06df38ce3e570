"""Engine: the patterns a notebook writes (%wait, %expect, %prompt) are matched with a time
limit: `/(a+)+b/` over a screen of `a`s must cost a clear error, not the kernel."""

from __future__ import annotations

from typing import TypeAlias

import regex

from ..errors import PatternError

MATCH_TIMEOUT = 1.0  # seconds for one search; a sane pattern takes microseconds

Pattern: TypeAlias = regex.Pattern
_BOUNDED = type(regex.compile(""))



def compile_pattern(pattern: str, flags: int = 0, what: str = "regex") -> Pattern:
    try:
        return regex.compile(pattern, flags)
    except regex.error as err:
        raise PatternError(f"bad {what} {pattern!r}: {err}") from None


def escape(text: str) -> str:
    return regex.escape(text)


def search(pattern: Pattern, text: str) -> regex.Match | None:
    if not isinstance(pattern, _BOUNDED):  # a plain `re` pattern of ours
        return pattern.search(text)
    try:
        return pattern.search(text, timeout=MATCH_TIMEOUT)
    except TimeoutError:
        raise PatternError(f"the pattern {pattern.pattern!r} took over {MATCH_TIMEOUT:g} s to match "
                           "(nested repeats such as (a+)+ backtrack without end): simplify it") from None

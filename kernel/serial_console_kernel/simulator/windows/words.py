"""cmd.exe argument splitting: double quotes group, backslashes stay (HKLM\\SYSTEM\\…)."""

from __future__ import annotations

import re

_WORD = re.compile(r'(?:[^\s"]+|"[^"]*")+')


def split(line: str) -> list[str]:
    return [word.replace('"', "") for word in _WORD.findall(line)]


def options(words: list[str]) -> dict[str, str]:
    """netsh style `name=value` words, keys lowercased."""
    found = {}
    for word in words:
        if "=" in word:
            key, _, value = word.partition("=")
            found[key.lower()] = value
    return found


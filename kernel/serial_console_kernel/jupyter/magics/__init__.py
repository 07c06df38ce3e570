"""Magics, declared once, each beside its function in a group module: the declarations drive
parsing, %help, completion and errors, and running a magic calls the function it declares."""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from ...errors import MagicError
from . import connection, keyboard, notes, panel, power, settings
from .declare import Magic, parse_pattern

__all__ = ["GROUPS", "MAGICS", "Magic", "Step", "help_text", "parse_cell", "parse_magic",
           "parse_pattern"]

GROUPS = (connection, keyboard, settings, power, panel, notes)
MAGICS: dict[str, Magic] = {magic.name: magic for group in GROUPS for magic in group.MAGICS}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would exit the kernel
        raise MagicError(message)


def _parser(magic: Magic) -> _Parser:
    parser = _Parser(prog="%" + magic.name, add_help=False, allow_abbrev=False)
    for a in magic.args:
        options = {k: v for k, v in a.options.items() if k != "help"}
        parser.add_argument(*a.flags, **options)
    return parser


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`${VAR}` and `${VAR:-default}` from the environment, as in a shell."""
    names: Mapping[str, str] = os.environ if environ is None else environ

    def value(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = names.get(name)
        if found:
            return found
        if default is not None:
            return default
        raise MagicError(f"environment variable {name} is not set (write ${{{name}:-default}})")

    return _ENV.sub(value, text)


def _split(text: str) -> list[str]:
    # posix=False keeps backslashes (C:\Windows>, regexes) and quotes; _unquote strips them.
    lexer = shlex.shlex(text, posix=False)
    lexer.whitespace_split = True
    lexer.commenters = ""  # '#' is a shell prompt here, not a comment
    try:
        return list(lexer)
    except ValueError as err:
        raise MagicError(f"cannot parse arguments: {err}") from None


def _unquote(token: str) -> str:
    return token[1:-1] if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"" else token


def lookup(name: str) -> Magic:
    magic = MAGICS.get(name)
    if magic is None:
        close = difflib.get_close_matches(name, MAGICS, n=1, cutoff=0.5)
        hint = f" - did you mean %{close[0]}?" if close else ""
        raise MagicError(f"unknown magic %{name}{hint} (%lsmagic lists them)")
    return magic


def parse_magic(line: str, environ: Mapping[str, str] | None = None,
                ) -> tuple[Magic, argparse.Namespace | str]:
    """`%name args…` → the declaration and its parsed arguments (raw text for raw magics)."""
    name, _, rest = line[1:].strip().partition(" ")
    magic = lookup(name)
    rest = expand_env(rest.strip(), environ)
    if magic.raw:
        return magic, rest
    tokens = _split(rest)
    options = set(magic.options())
    # Positional words come first and are taken as typed, even when they look like options
    # (%connect exec:ssh -t host --power …, %wait -- Press --timeout 5).
    first_option = next((i for i, t in enumerate(tokens) if t.split("=")[0] in options), len(tokens))
    words, tail = tokens[:first_option], [_unquote(t) for t in tokens[first_option:]]
    words = [" ".join(words)] if magic.quoted_words and words else [_unquote(w) for w in words]
    return magic, _parser(magic).parse_args([*tail, "--", *words] if words else tail)


def help_text(name: str | None = None) -> str:
    if name:
        magic = lookup(name.lstrip("%"))
        lines = [magic.usage, "", magic.help]
        described = [a for a in magic.args if a.flags[0].startswith("--") and "help" in a.options]
        lines += [f"  {a.flags[0]}: {a.options['help']}" for a in described]
        return "\n".join(lines)
    width = max(len(name) for name in MAGICS) + 2
    lines = ["Each plain line of a cell is typed into the console, followed by Enter.",
             "%help NAME tells more about one magic.", ""]
    lines += [f"%{name.ljust(width)}{summary(m)}" for name, m in MAGICS.items()]
    return "\n".join(lines)


def summary(magic: Magic) -> str:
    return re.split(r"\.\s+(?=[A-Z])", magic.help, maxsplit=1)[0].rstrip(".")


@dataclass
class Step:
    """One line of a cell: a magic with its arguments, or text to type."""

    text: str
    magic: Magic | None = None
    args: argparse.Namespace | str | None = None


def parse_cell(code: str, environ: Mapping[str, str] | None = None) -> list[Step]:
    """All lines parsed before anything is typed: a typo in line 5 must not leave lines 1-4 run."""
    lines = code.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    steps = []
    for line in lines:
        if line.startswith("%"):
            magic, args = parse_magic(line, environ)
            steps.append(Step(line, magic, args))
        else:
            steps.append(Step(line))
    return steps

"""Magics, declared once: that declaration drives parsing, %help, completion and errors."""

from __future__ import annotations

import argparse
import difflib
import math
import os
import re
import shlex
from dataclasses import dataclass, field

import regex

from .errors import MagicError
from .patterns import Pattern, compile_pattern


@dataclass(frozen=True)
class Arg:
    flags: tuple[str, ...]
    options: dict = field(default_factory=dict)


def arg(*flags: str, **options) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Magic:
    name: str
    usage: str
    help: str
    args: tuple[Arg, ...] = ()
    raw: bool = False  # the rest of the line is one text argument, taken as typed
    quoted_words: bool = False  # positional words keep their quotes (a command line for exec:)
    touches: bool = False  # it acts on the machine: an error shows the screen (the handler's
    # return value says whether a success does)

    def options(self) -> list[str]:
        return [flag for a in self.args for flag in a.flags if flag.startswith("--")]


def number(low: float, high: float, unit: str = "", kind: type = float):
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
_TIMEOUT = arg("--timeout", type=SECONDS, metavar="S", help="seconds before giving up")

MAGICS: dict[str, Magic] = {m.name: m for m in [
    Magic("connect", "%connect [TARGET] [--baud N] [--keys xterm|ems] [--size CxR] [--prompt REGEX]",
          "Connect to a console: a device (/dev/ttyUSB0), socket://HOST:PORT, rfc2217://HOST:PORT, "
          "loop://, exec:COMMAND (virsh console vm1, ipmitool … sol activate) or sim:windows. "
          "Without TARGET, reconnect to the last one.",
          (arg("target", nargs="*"), arg("--baud", type=number(1, 10_000_000, kind=int), default=None),
           arg("--keys", choices=["xterm", "ems"], default=None),
           arg("--size", default=None, metavar="CxR"), arg("--prompt", default=None),
           arg("--power", default=None)), quoted_words=True, touches=True),
    Magic("disconnect", "%disconnect", "Close the console connection."),
    Magic("status", "%status", "Show the target, the connection and the settings."),
    Magic("screen", "%screen", "Show the screen without typing anything.", touches=True),
    Magic("send", "%send TEXT", "Type TEXT without Enter; \\r \\n \\t \\e \\xNN escapes "
          "(%send \\x03 sends Ctrl-C to the console).", raw=True, touches=True),
    Magic("key", "%key NAME...", "Press keys: F1-F12, Up, Down, Left, Right, Home, End, PgUp, PgDn, "
          "Insert, Delete, Enter, Esc, Tab, Backspace, Space, Ctrl-A..Ctrl-Z; e.g. %key Esc Tab 0.",
          (arg("keys", nargs="+"),), touches=True),
    Magic("wait", "%wait TEXT|/REGEX/ [--timeout S] [--new]",
          "Wait until the console shows TEXT (or matches /REGEX/) in what it sent since the "
          "notebook last typed, pressed or did something (the connect, a power action), even if "
          "an earlier cell showed it already; an error on timeout. With --new, only output no "
          "cell has shown yet counts.",
          (arg("pattern", nargs="+"), _TIMEOUT,
           arg("--new", action="store_true", help="only output not shown by any cell yet")),
          touches=True),
    Magic("expect", "%expect TEXT|/REGEX/",
          "Check that this cell's output or the screen shows TEXT (or matches /REGEX/); an error "
          "if not. The echo of the lines the cell typed does not count: the check is on what "
          "the machine answered. Use it for runbook checks.", (arg("pattern", nargs="+"),)),
    Magic("prompt", "%prompt [REGEX|default]",
          "Show or set the prompt that ends a typed line. It is anchored like the built-in "
          "shapes: it must match from the start of the logical line that holds the cursor to "
          "the cursor (write .*REGEX to match anywhere). The default knows user@host:path# , "
          "[user@host path]$ , bash-5.2# , / # , SAC>, C:\\...>, PS C:\\...>, grub>, login:, "
          "Password:, (Y/N)? and more; the prompt that ended the last line is expected first.",
          raw=True),
    Magic("timeout", "%timeout [S]", "Show or set the longest wait for one line, in seconds (30).",
          (arg("seconds", nargs="?", type=SECONDS),)),
    Magic("quiet", "%quiet [MS]",
          "Show or set how long the console must stay silent to end a line with no prompt (400).",
          (arg("ms", nargs="?", type=number(0, 600_000, " ms")),)),
    Magic("enter", "%enter [cr|lf|crlf]", "Show or set what Enter sends (cr).",
          (arg("ending", nargs="?", choices=["cr", "lf", "crlf"]),)),
    Magic("txdelay", "%txdelay [MS]", "Show or set a delay between typed characters, for UARTs "
          "that drop characters (0).", (arg("ms", nargs="?", type=number(0, 10_000, " ms")),)),
    Magic("size", "%size [CxR]", "Show or set the screen size, e.g. %size 100x40 (80x25).",
          (arg("size", nargs="?"),)),
    Magic("scrollback", "%scrollback [LINES]", "Show or set how many scrolled-off lines a cell "
          "shows at most (2000); %log keeps everything.",
          (arg("lines", nargs="?", type=number(0, 1_000_000, " lines", int)),)),
    Magic("log", "%log [PATH|off]", "Append everything the console sends to PATH (secrets masked).",
          (arg("path", nargs="?"),)),
    Magic("password", "%password [ENVVAR]",
          "Type a secret and Enter: from the environment variable ENVVAR, else asked for. Never "
          "shown, never written to a transcript.", (arg("envvar", nargs="?"),), touches=True),
    Magic("nmi", "%nmi", "Send an NMI (crashes Windows into a dump; Linux prints 'NMI received').",
          touches=True),
    Magic("reset", "%reset", "Hard reset the machine, like its reset button.", touches=True),
    Magic("restart", "%restart", "Restart the machine gracefully (Ctrl-Alt-Del, ACPI, the platform's "
          "restart).", touches=True),
    Magic("power", "%power on|off|cycle|status", "Switch the machine's power or show its state.",
          (arg("state", choices=["on", "off", "cycle", "status"]),), touches=True),
    Magic("sysrq", "%sysrq KEY", "Linux Magic SysRq: KEY after a BREAK (h help, s sync, u remount, "
          "b reboot, c crash).", (arg("key"),), touches=True),
    Magic("break", "%break", "Send a serial BREAK.", touches=True),
    Magic("power-backend", "%power-backend [SPEC|none]",
          "Show or set how power actions travel: qmp:PATH, qmp:tcp:HOST:PORT, sim, sim:HOST:PORT, "
          "cmd:nmi=COMMAND;reset=COMMAND;…", raw=True),
    Magic("boot-menu", "%boot-menu [--select TEXT] [--keys KEY] [--timeout S]",
          "Restart and catch the boot menu: with the ems key profile F8 is pressed until the menu "
          "shows (--keys Esc for a hidden GRUB menu); the countdown is stopped; with --select, the "
          "entry containing TEXT is highlighted and chosen.",
          (arg("--select", nargs="+", default=None), arg("--keys", default=None),
           arg("--timeout", type=SECONDS, default=None)), touches=True),
    Magic("controls", "%controls", "Show the control panel: power buttons (with a confirmation "
          "for NMI, reset and power off), a boot-menu pad, a live screen and a line to type."),
    Magic("env", "%env [NAME=VALUE]", "Show or set an environment variable of the kernel (runbook "
          "parameters, e.g. %env SERIAL_CONSOLE_TARGET=socket://127.0.0.1:4555).", raw=True),
    Magic("echo", "%echo TEXT", "Print TEXT in the cell's output (a note in a runbook).", raw=True),
    Magic("help", "%help [NAME]", "Help on all magics or on one.", (arg("name", nargs="?"),)),
    Magic("lsmagic", "%lsmagic", "List the magics."),
]}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would exit the kernel
        raise MagicError(message)


def _parser(magic: Magic) -> _Parser:
    parser = _Parser(prog="%" + magic.name, add_help=False, allow_abbrev=False)
    for a in magic.args:
        options = {k: v for k, v in a.options.items() if k != "help"}
        parser.add_argument(*a.flags, **options)
    return parser


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(text: str, environ: dict[str, str] | None = None) -> str:
    """`${VAR}` and `${VAR:-default}` from the environment, as in a shell."""
    environ = os.environ if environ is None else environ

    def value(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = environ.get(name)
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


def parse_magic(line: str) -> tuple[Magic, argparse.Namespace | str]:
    """`%name args…` → the declaration and its parsed arguments (raw text for raw magics)."""
    name, _, rest = line[1:].strip().partition(" ")
    magic = lookup(name)
    rest = expand_env(rest.strip())
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


def parse_pattern(text: str) -> Pattern:
    """`/REGEX/` is a regular expression; anything else is literal text."""
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        return compile_pattern(text[1:-1], regex.MULTILINE)
    return compile_pattern(regex.escape(text))


@dataclass
class Step:
    """One line of a cell: a magic with its arguments, or text to type."""

    text: str
    magic: Magic | None = None
    args: argparse.Namespace | str | None = None


def parse_cell(code: str) -> list[Step]:
    """All lines parsed before anything is typed: a typo in line 5 must not leave lines 1-4 run."""
    lines = code.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    steps = []
    for line in lines:
        if line.startswith("%"):
            magic, args = parse_magic(line)
            steps.append(Step(line, magic, args))
        else:
            steps.append(Step(line))
    return steps

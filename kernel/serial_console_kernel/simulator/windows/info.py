"""cmd's environment (`set`, `echo`, `%VAR%`) and the reports operators read first: `tasklist`
and `wevtutil qe System`, in the layouts Windows prints (tests/fidelity/windows/)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cmd import CmdShell
    from .state import Event, WindowsState

_VARIABLE = re.compile(r"%([^%\s]+)%")
TASKS = [("System Idle Process", 0, 8), ("System", 4, 136), ("Registry", 88, 48_204),
         ("smss.exe", 412, 1_188), ("csrss.exe", 584, 5_036), ("wininit.exe", 660, 6_900),
         ("services.exe", 688, 9_480), ("lsass.exe", 700, 17_116), ("svchost.exe", 908, 21_472),
         ("svchost.exe", 1044, 12_364), ("sacsess.exe", 1320, 4_212), ("cmd.exe", 2024, 3_980),
         ("MsMpEng.exe", 2110, 118_640)]


def expand(line: str, environment: dict[str, str]) -> str:
    """%NAME% as cmd expands it: case-insensitively, an unknown name left as typed."""
    by_name = {name.lower(): value for name, value in environment.items()}
    return _VARIABLE.sub(lambda m: by_name.get(m.group(1).lower(), m.group(0)), line)


def set_variable(shell: CmdShell, args: list[str]) -> list[str]:
    environment = shell.state.environment
    text = " ".join(args)
    if "=" in text:
        name, _, value = text.partition("=")
        existing = next((n for n in environment if n.lower() == name.lower()), name)
        environment.pop(existing, None)
        if value:
            environment[existing] = value
        return [""]
    matching = sorted((n for n in environment if n.lower().startswith(text.lower())), key=str.lower)
    if not matching:
        return [f"Environment variable {text} not defined", ""]
    return [*(f"{n}={environment[n]}" for n in matching), ""]


def echo(shell: CmdShell, args: list[str]) -> list[str]:
    if not args:
        return ["ECHO is on.", ""]
    return [" ".join(args), ""]


def tasklist(shell: CmdShell, args: list[str]) -> list[str]:
    rows = [f"{name:<25} {pid:>8} {'Services':<16} {0:>11} {memory:>10,} K"
            for name, pid, memory in TASKS]
    return ["", "Image Name                     PID Session Name        Session#    Mem Usage",
            "========================= ======== ================ =========== ============",
            *rows, ""]


def _event_text(index: int, event: Event) -> list[str]:
    return [f"Event[{index}]:", "  Log Name: System", f"  Source: {event.source}",
            f"  Date: {event.date}", f"  Event ID: {event.event_id}", f"  Task: {event.task}",
            f"  Level: {event.level}", f"  Opcode: {event.opcode}", f"  Keyword: {event.keyword}",
            f"  User: {event.user}", f"  User Name: {event.user_name}", "  Computer: WINSRV-SIM01",
            "  Description: ", event.description, ""]


_LEVELS = {"1": "Critical", "2": "Error", "3": "Warning", "4": "Information"}


def _matches(event: Event, query: str) -> bool:
    level = re.search(r"Level\s*=\s*(\d)", query)
    event_id = re.search(r"EventID\s*=\s*(\d+)", query)
    return ((level is None or _LEVELS.get(level.group(1)) == event.level)
            and (event_id is None or int(event_id.group(1)) == event.event_id))


def query_events(state: WindowsState, words: list[str]) -> list[str]:
    """`wevtutil qe System [/c:N] [/rd:true] [/f:text] [/q:"…Level=2…"]`."""
    flags = {w.split(":", 1)[0].lower(): w.split(":", 1)[1] if ":" in w else ""
             for w in words if w.startswith("/")}
    events = [e for e in state.events if _matches(e, flags.get("/q", ""))]
    if flags.get("/rd", "").lower() == "true":
        events.reverse()
    if flags.get("/c", "").isdigit():
        events = events[:int(flags["/c"])]
    if flags.get("/f", "xml").lower() != "text":
        return [*(f'<Event xmlns=\'http://schemas.microsoft.com/win/2004/08/events/event\'>'
                  f"<System><Provider Name='{e.source}'/><EventID>{e.event_id}</EventID>"
                  f"<Computer>WINSRV-SIM01</Computer></System></Event>" for e in events), ""]
    lines: list[str] = []
    for index, event in enumerate(events):
        lines += _event_text(index, event)
    return lines or [""]


def wevtutil(shell: CmdShell, args: list[str]) -> list[str]:
    words = args
    if len(words) >= 2 and words[0].lower() in ("qe", "query-events") and words[1].lower() == "system":
        return query_events(shell.state, words[2:])
    if words and words[0].lower() in ("qe", "query-events"):
        return ["Failed to read events. The specified channel could not be found.", ""]
    return ["Windows Events Command Line Utility.", "",
            "Enables you to retrieve information about event logs and publishers, install",
            "and uninstall event manifests, run queries, and export, archive, and clear logs.", ""]


COMMANDS: dict[str, Callable[[CmdShell, list[str]], list[str]]] = {
    "set": set_variable, "echo": echo, "tasklist": tasklist, "wevtutil": wevtutil,
}

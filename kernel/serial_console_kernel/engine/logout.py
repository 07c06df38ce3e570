"""Engine: leave a console signed out, as its users leave it by hand.

A serial console is a shared, privileged door: whoever connects next gets the session left
open.  SAC: `exit` in the Command Prompt channel (then the Enter the real SAC needs to leave its
channel screen) and `lock`, which signs every channel out.  A shell: a pager or an editor (nano,
vi) is left first, without saving, then `exit` until `login:` shows.  Each step is bounded; not
reaching a signed-out console is an error that says what the screen shows, never a silent
success.
"""

from __future__ import annotations

import re

from ..errors import ConsoleError
from .console import Console
from .patterns import compile_pattern, search
from .prompts import pager_waiting

LOGIN = re.compile(r"login:\s*$", re.IGNORECASE)
SAC_PROMPT = re.compile(r"^!?SAC>")
CMD_PROMPT = re.compile(r"^(PS )?[A-Z]:\\[^>]*> ?$")
SAC_LOCKED = compile_pattern(re.escape("Locked access to all Command Prompt channels."))
SAC_CHANNEL_SCREEN = "Use any other key to view this channel."
SAC_LOGIN = re.compile(r"^(Username|Domain  |Password): ")
MAX_EXITS = 4  # nested shells (su, a login shell in a login shell) before giving up


def _cursor_line(console: Console) -> str:
    return console.session.inspect(lambda screen: screen.line_before_cursor()).strip()


async def sign_out(console: Console, how: str) -> str:
    """Sign out the way `how` says (`auto`, or a line to type); returns what was done."""
    if how != "auto":
        await console.type_line(how)
        return f"signed out: typed {how!r}"
    if console.settings.keys == "ems" or _at_sac(console):
        return await _sign_out_of_sac(console)
    return await _sign_out_of_shell(console)


def _at_sac(console: Console) -> bool:
    """SAC reached over a plain socket (keys xterm): told by its prompts and screens."""
    line = _cursor_line(console)
    if SAC_PROMPT.match(line) or CMD_PROMPT.match(line):
        return True
    return console.session.inspect(lambda screen: SAC_CHANNEL_SCREEN in "\n".join(screen.display)
                                   or "Please enter login credentials." in "\n".join(screen.display))


async def _sign_out_of_sac(console: Console) -> str:
    done = []
    line = _cursor_line(console)
    if line.startswith("!SAC>"):
        return "nothing to sign out of: the machine stopped (!SAC>)"
    if CMD_PROMPT.match(line):
        if line.startswith("PS "):
            await console.type_line("exit")  # PowerShell first, back to cmd
        await console.type_line("exit")
        done.append("the Command Prompt channel closed")
    elif SAC_LOGIN.match(line):
        await console.send("\x1b\t0")  # nobody signed in here: back to SAC (Esc Tab 0)
    if SAC_CHANNEL_SCREEN in console.session.inspect(lambda screen: "\n".join(screen.display)):
        await console.press(["Enter"])
    await console.type_line("lock")
    if not console.session.inspect(lambda screen: search(SAC_LOCKED, screen.text_since(
            max(0, screen.drawn_total - 600)))):
        raise ConsoleError(f"could not sign out: SAC did not lock its Command Prompt channels; "
                           f"the console shows {_cursor_line(console)!r} and may still be signed in")
    done.append("Command Prompt channels locked")
    return "signed out: " + ", ".join(done)


def _editor(console: Console) -> str | None:
    """The keys that leave an editor on the screen, without saving: nano, vi."""
    rows = console.session.inspect(lambda screen: list(screen.display))
    if any("^X Exit" in row for row in rows):
        return "\x18"  # nano's Ctrl-X; its "Save modified buffer?" is answered below
    if sum(row.strip() == "~" for row in rows) >= 3:
        return "\x1b:q!\r"  # vi's empty-line tildes
    return None


async def _sign_out_of_shell(console: Console) -> str:
    left = ""
    for _ in range(MAX_EXITS):
        line = _cursor_line(console)
        if LOGIN.search(line):
            return "signed out: the console is at login:" + left
        keys = _editor(console)
        if keys is not None or pager_waiting(line):
            await console.send(keys or "q")
            if "Save modified buffer" in _cursor_line(console):
                await console.send("n")
            left = " (an editor or pager was left without saving)"
            continue
        await console.type_line("exit")
    line = _cursor_line(console)
    if LOGIN.search(line):
        return "signed out: the console is at login:"
    raise ConsoleError(f"could not sign out: after {MAX_EXITS} exits the console shows {line!r}, "
                       "not login:; it may still be signed in")

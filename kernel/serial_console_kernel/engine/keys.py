"""Key names to the bytes a console expects, for two profiles.

`xterm` is what Linux, GRUB and most firmware speak; `ems` is Windows' headless VT100+ (EMS/SAC),
where function keys are ESC + digit because the console has no other way to send them.
"""

from __future__ import annotations

ESC = "\x1b"

_COMMON = {
    "Enter": "\r", "Esc": ESC, "Escape": ESC, "Tab": "\t", "Backspace": "\x7f", "Space": " ",
    "Up": ESC + "[A", "Down": ESC + "[B", "Right": ESC + "[C", "Left": ESC + "[D",
}

_XTERM = {
    "Home": ESC + "[H", "End": ESC + "[F", "Insert": ESC + "[2~", "Delete": ESC + "[3~",
    "PgUp": ESC + "[5~", "PgDn": ESC + "[6~",
    "F1": ESC + "OP", "F2": ESC + "OQ", "F3": ESC + "OR", "F4": ESC + "OS",
    "F5": ESC + "[15~", "F6": ESC + "[17~", "F7": ESC + "[18~", "F8": ESC + "[19~",
    "F9": ESC + "[20~", "F10": ESC + "[21~", "F11": ESC + "[23~", "F12": ESC + "[24~",
}

_EMS = {
    "Home": ESC + "h", "End": ESC + "k", "Insert": ESC + "+", "Delete": ESC + "-",
    "PgUp": ESC + "?", "PgDn": ESC + "/",
    **{f"F{n}": ESC + str(n) for n in range(1, 10)},
    "F10": ESC + "0", "F11": ESC + "!", "F12": ESC + "@",
}

PROFILES = {"xterm": {**_COMMON, **_XTERM}, "ems": {**_COMMON, **_EMS}}
CTRL_KEYS = {f"Ctrl-{chr(c)}": chr(c - 64) for c in range(ord("A"), ord("Z") + 1)}
ALIASES = {"PageUp": "PgUp", "PageDown": "PgDn", "Return": "Enter", "Del": "Delete", "Ins": "Insert"}


def key_names(profile: str = "xterm") -> list[str]:
    return sorted(PROFILES[profile]) + sorted(CTRL_KEYS)


def key_bytes(name: str, profile: str = "xterm") -> str:
    """The characters for one key name, e.g. 'F8', 'Ctrl-X', 'Esc'; a single character as itself."""
    table = PROFILES[profile]
    canonical = ALIASES.get(name, name)
    for candidate in (canonical, canonical.capitalize(), canonical.upper()):
        if candidate in table:
            return table[candidate]
    lowered = canonical.lower()
    if lowered.startswith(("ctrl-", "ctrl+", "c-", "^")) and len(canonical) >= 2:
        letter = canonical[-1].upper()
        if "A" <= letter <= "Z":
            return CTRL_KEYS[f"Ctrl-{letter}"]
    for known in table:
        if known.lower() == lowered:
            return table[known]
    if len(name) == 1:
        return name
    raise KeyError(name)


def decode_escapes(text: str) -> str:
    """`%send` text: \\r \\n \\t \\e \\xNN \\\\ as in C, and "\\ " for a leading space (the
    text is taken after the magic's name, trimmed); everything else literal."""
    out, i = [], 0
    simple = {"r": "\r", "n": "\n", "t": "\t", "e": ESC, "\\": "\\", "0": "\0", "a": "\a", "b": "\b",
              " ": " "}
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "x" and _is_hex(text[i + 2:i + 4]):
                out.append(chr(int(text[i + 2:i + 4], 16)))
                i += 4
                continue
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _is_hex(pair: str) -> bool:
    return len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair)

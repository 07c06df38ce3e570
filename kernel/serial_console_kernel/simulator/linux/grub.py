"""GRUB 2 on a serial terminal: the menu (ASCII box, reverse-video highlight, countdown) and the
`e` editor, drawn with the vt100 sequences GRUB sends."""

from __future__ import annotations

from dataclasses import dataclass, field

from .state import KERNEL

CLEAR = "\x1b[H\x1b[J"
ENTRIES = ["Debian GNU/Linux", "Debian GNU/Linux (recovery mode)", "Memory test (memtest86+, dummy)"]
BASE_CMDLINE = "root=/dev/sda1 ro console=tty0 console=ttyS0,115200n8 earlyprintk=ttyS0"
RECOVERY_CMDLINE = BASE_CMDLINE + " single"


def at(row: int, column: int = 1) -> str:
    return f"\x1b[{row};{column}H"


def menu_screen(selected: int, countdown: int | None) -> str:
    rows = [CLEAR, at(2, 24) + "GNU GRUB  version 2.06-13+deb12u1", "",
            at(4, 2) + "+" + "-" * 76 + "+"]
    for index in range(12):
        rows.append(at(5 + index, 2) + "|" + entry_text(index, selected) + "|")
    rows += [at(17, 2) + "+" + "-" * 76 + "+",
             at(19, 7) + "Use the ^ and v keys to select which entry is highlighted.",
             at(20, 7) + "Press enter to boot the selected OS, `e' to edit the commands",
             at(21, 7) + "before booting or `c' for a command-line.",
             countdown_row(countdown)]
    return "".join(rows)


def entry_text(index: int, selected: int) -> str:
    text = ENTRIES[index] if index < len(ENTRIES) else ""
    if index == selected:
        return "\x1b[7m*" + text.ljust(75) + "\x1b[m"
    return " " + text.ljust(75)


def entry_row(index: int, selected: int) -> str:
    return at(5 + index, 3) + entry_text(index, selected)


def countdown_row(seconds: int | None) -> str:
    if seconds is None:
        return at(22, 1) + "\x1b[K"
    return at(22, 4) + f"The highlighted entry will be executed automatically in {seconds}s. \x1b[K"


@dataclass
class Editor:
    """GRUB's entry editor: lines, a cursor, insert at the cursor, Ctrl-X boots."""

    title: str
    lines: list[str] = field(default_factory=list)
    row: int = 0
    column: int = 0

    @classmethod
    def for_entry(cls, index: int) -> Editor:
        cmdline = RECOVERY_CMDLINE if index == 1 else BASE_CMDLINE
        return cls(ENTRIES[index], [
            f"setparams '{ENTRIES[index]}'", "",
            f"        linux   /boot/vmlinuz-{KERNEL} {cmdline}",
            f"        initrd  /boot/initrd.img-{KERNEL}",
        ])

    def key(self, name: str, char: str) -> None:
        line = self.lines[self.row]
        if name == "Up":
            self.row = max(0, self.row - 1)
        elif name == "Down":
            self.row = min(len(self.lines) - 1, self.row + 1)
        elif name == "Left":
            self.column = max(0, self.column - 1)
        elif name == "Right":
            self.column = min(len(line), self.column + 1)
        elif char == "\x05":  # Ctrl-E
            self.column = len(line)
        elif char == "\x01":  # Ctrl-A
            self.column = 0
        elif char in ("\x7f", "\b"):
            if self.column:
                self.lines[self.row] = line[:self.column - 1] + line[self.column:]
                self.column -= 1
        elif char and char.isprintable():
            self.lines[self.row] = line[:self.column] + char + line[self.column:]
            self.column += len(char)
        self.column = min(self.column, len(self.lines[self.row]))

    @property
    def cmdline(self) -> str:
        for line in self.lines:
            words = line.split()
            if words and words[0] == "linux":
                return " ".join(words[2:])
        return ""

    def screen(self) -> str:
        rows = [CLEAR, at(2, 24) + "GNU GRUB  version 2.06-13+deb12u1", "",
                at(4, 2) + "+" + "-" * 76 + "+"]
        # Long lines wrap with a "\\" in the last column, as GRUB's editor does.
        shown: list[str] = []
        cursor = (0, 0)
        for index, line in enumerate(self.lines):
            chunks = [line[i:i + 75] for i in range(0, max(len(line), 1), 75)]
            if index == self.row:
                chunk = min(self.column // 75, len(chunks) - 1) if self.column < len(line) \
                    else len(chunks) - 1 if len(line) % 75 else len(chunks)
                cursor = (len(shown) + chunk, self.column - 75 * chunk)
            shown += [c + "\\" if i < len(chunks) - 1 else c for i, c in enumerate(chunks)]
        for index in range(12):
            text = shown[index] if index < len(shown) else ""
            rows.append(at(5 + index, 2) + "|" + text[:76].ljust(76) + "|")
        rows += [at(17, 2) + "+" + "-" * 76 + "+",
                 at(19, 6) + "Minimum Emacs-like screen editing is supported. TAB lists",
                 at(20, 6) + "completions. Press Ctrl-x or F10 to boot, Ctrl-c or F2 for",
                 at(21, 6) + "a command-line or ESC to discard edits and return to the GRUB menu.",
                 at(5 + cursor[0], 3 + min(cursor[1], 75))]
        return "".join(rows)

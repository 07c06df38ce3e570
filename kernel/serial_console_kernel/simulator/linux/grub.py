"""GRUB 2 on a serial terminal: the menu (ASCII box, reverse-video highlight, countdown) and the
`e` editor, drawn with the vt100 sequences GRUB sends."""

from __future__ import annotations

from dataclasses import dataclass, field

from .state import KERNEL, ROOT_UUID

CLEAR = "\x1b[H\x1b[J"
VERSION = "2.06-13+deb12u2"
BASE_CMDLINE = f"root=UUID={ROOT_UUID} ro console=ttyS0,115200 quiet"
RECOVERY_CMDLINE = f"root=UUID={ROOT_UUID} ro single console=ttyS0,115200"


@dataclass(frozen=True)
class Entry:
    title: str
    cmdline: str = ""  # empty: a submenu


# What Debian's update-grub writes (tests/fidelity/linux/grub-menu.txt, grub-submenu.txt).
MAIN_MENU = [Entry("Debian GNU/Linux", BASE_CMDLINE), Entry("Advanced options for Debian GNU/Linux")]
SUBMENU = [Entry(f"Debian GNU/Linux, with Linux {KERNEL}", BASE_CMDLINE),
           Entry(f"Debian GNU/Linux, with Linux {KERNEL} (recovery mode)", RECOVERY_CMDLINE)]
HELP = ["Use the ^ and v keys to select which entry is highlighted.",
        "Press enter to boot the selected OS, `e' to edit the commands",
        "before booting or `c' for a command-line."]


def at(row: int, column: int = 1) -> str:
    return f"\x1b[{row};{column}H"


def menu_screen(entries: list[Entry], selected: int, countdown: int | None,
                submenu: bool = False) -> str:
    rows = [CLEAR, at(2, 24) + f"GNU GRUB  version {VERSION}", "",
            at(4, 2) + "+" + "-" * 76 + "+"]
    help_rows = [*HELP[:2], HELP[2] + (" ESC to return" if submenu else "")]
    if submenu:
        help_rows.append("previous menu.")
    height = 15 - len(help_rows)  # a submenu's longer help takes a row from the box
    for index in range(height):
        rows.append(at(5 + index, 2) + "|" + entry_text(entries, index, selected) + "|")
    rows += [at(5 + height, 2) + "+" + "-" * 76 + "+"]
    rows += [at(7 + height + i, 7) + text for i, text in enumerate(help_rows)]
    rows.append(countdown_row(countdown))
    return "".join(rows)


def entry_text(entries: list[Entry], index: int, selected: int) -> str:
    text = entries[index].title if index < len(entries) else ""
    if index == selected:
        return "\x1b[7m*" + text.ljust(75) + "\x1b[m"
    return " " + text.ljust(75)


def entry_row(entries: list[Entry], index: int, selected: int) -> str:
    return at(5 + index, 3) + entry_text(entries, index, selected)


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
    def for_entry(cls, entry: Entry) -> Editor:
        """The entry as Debian's 10_linux writes it (tests/fidelity/linux/grub-editor.txt)."""
        return cls(entry.title, [
            f"setparams '{entry.title}'", "",
            "        load_video",
            "        insmod gzio",
            "        if [ x$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi",
            "        insmod part_msdos",
            "        insmod ext2",
            f"        search --no-floppy --fs-uuid --set=root {ROOT_UUID}",
            f"        echo        'Loading Linux {KERNEL} ...'",
            f"        linux        /boot/vmlinuz-{KERNEL} {entry.cmdline}",
            "        echo        'Loading initial ramdisk ...'",
            f"        initrd        /boot/initrd.img-{KERNEL}",
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
        rows = [CLEAR, at(2, 24) + f"GNU GRUB  version {VERSION}", "",
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
        top = max(0, cursor[0] - 11)  # the view scrolls to keep the cursor's row in it
        for index in range(12):
            text = shown[top + index] if top + index < len(shown) else ""
            # GRUB marks rows out of view with ^ and v beside the frame.
            mark = "^" if index == 0 and top else "v" if index == 11 and top + 12 < len(shown) else ""
            rows.append(at(5 + index, 2) + "|" + text[:76].ljust(76) + "|" + mark)
        rows += [at(17, 2) + "+" + "-" * 76 + "+",
                 at(19, 7) + "Minimum Emacs-like screen editing is supported. TAB lists",
                 at(20, 7) + "completions. Press Ctrl-x or F10 to boot, Ctrl-c or F2 for",
                 at(21, 7) + "a command-line or ESC to discard edits and return to the GRUB menu.",
                 at(5 + cursor[0] - top, 3 + min(cursor[1], 75))]
        return "".join(rows)

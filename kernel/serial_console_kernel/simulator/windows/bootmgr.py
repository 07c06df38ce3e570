"""Windows Boot Manager and Advanced Boot Options (F8) over EMS: full-screen menus with a
reverse-video highlight, drawn with VT100 sequences like the real EMS console.

Sources: the Boot Manager's prompt line is Microsoft's (troubleshoot-guide-windows-boot-manager-
menu.md), its keys AWS's EC2 SAC guide; the F8 entries are the names Windows Vista to Server 2012
list. No capture of a modern F8 screen over EMS was found, so its layout (rows, spacing, the
Description line) is inferred, as ../shared/reference/sac-ems.md §2 marks it."""

from __future__ import annotations

from dataclasses import dataclass

CLEAR = "\x1b[2J\x1b[H"

BOOT_MANAGER_ENTRIES = ["Windows Server [EMS Enabled]"]
ADVANCED_ENTRIES = [
    "Repair Your Computer", "",
    "Safe Mode", "Safe Mode with Networking", "Safe Mode with Command Prompt", "",
    "Enable Boot Logging", "Enable low-resolution video",
    "Last Known Good Configuration (advanced)", "Directory Services Restore Mode",
    "Debugging Mode", "Disable automatic restart on system failure",
    "Disable Driver Signature Enforcement", "Disable Early Launch Anti-Malware Driver", "",
    "Start Windows Normally",
]
SAFE_CHOICES = {"Safe Mode": "Minimal", "Safe Mode with Networking": "Network",
                "Safe Mode with Command Prompt": "Minimal", "Start Windows Normally": "Normal"}


def at(row: int, text: str = "") -> str:
    return f"\x1b[{row};1H\x1b[K{text}"


def highlighted(text: str) -> str:
    return f"\x1b[7m{text}\x1b[0m"


@dataclass
class Menu:
    """A boot menu: entries (blank ones are separators), a highlight, and where rows go."""

    title: str
    entries: list[str]
    first_row: int
    selected: int = 0

    def draw_entry(self, index: int) -> str:
        text = self.entries[index]
        if not text:
            return at(self.first_row + index)
        shown = f"    {text}"
        return at(self.first_row + index, highlighted(shown) if index == self.selected else shown)

    def move(self, step: int) -> str:
        """Move the highlight over the separators; returns the redraw of the two rows."""
        previous = self.selected
        index = self.selected
        while True:
            index += step
            if not 0 <= index < len(self.entries):
                return ""
            if self.entries[index]:
                break
        self.selected = index
        return self.draw_entry(previous) + self.draw_entry(index)

    @property
    def choice(self) -> str:
        return self.entries[self.selected]


def boot_manager_screen(menu: Menu, countdown: int | None) -> str:
    rows = [CLEAR, at(2, " " * 26 + "Windows Boot Manager"),
            at(4, "Choose an operating system to start, or press TAB to select a tool:"),
            at(5, "(Use the arrow keys to highlight your choice, then press ENTER.)")]
    rows += [menu.draw_entry(i) for i in range(len(menu.entries))]
    rows += [at(10, "To specify an advanced option for this choice, press F8."),
             countdown_row(countdown), at(14, "Tools:"),
             at(16, "    Windows Memory Diagnostic"),
             at(24, "ENTER=Choose" + " " * 21 + "TAB=Menu" + " " * 21 + "ESC=Cancel")]
    return "".join(rows)


def countdown_row(seconds: int | None) -> str:
    if seconds is None:
        return at(11)
    return at(11, f"Seconds until the highlighted choice will be started automatically: {seconds}")


def advanced_screen(menu: Menu) -> str:
    rows = [CLEAR, at(2, "Advanced Boot Options"),
            at(4, "Choose Advanced Options for: Windows Server"),
            at(5, "(Use the arrow keys to highlight your choice.)")]
    rows += [menu.draw_entry(i) for i in range(len(menu.entries))]
    rows += [at(24, "ENTER=Choose" + " " * 48 + "ESC=Cancel")]
    return "".join(rows)


def new_boot_manager() -> Menu:
    return Menu("Windows Boot Manager", list(BOOT_MANAGER_ENTRIES), first_row=7)


def new_advanced_menu() -> Menu:
    return Menu("Advanced Boot Options", list(ADVANCED_ENTRIES), first_row=7,
                selected=ADVANCED_ENTRIES.index("Start Windows Normally"))

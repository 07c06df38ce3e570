"""What a console floods us with, generated the same way every run (seeded).

Each workload is bytes as a serial line carries them (CR LF line ends, ANSI colours)."""

from __future__ import annotations

import random
from collections.abc import Callable

WORDS = ("kernel", "eth0", "link", "up", "mounted", "filesystem", "started", "service", "udev",
         "audit", "systemd", "ACPI", "PCI", "usb", "device", "sda1", "ext4", "journal", "NMI")
COLOURS = ("\x1b[01;34m", "\x1b[01;32m", "\x1b[01;36m", "\x1b[40;33;01m", "\x1b[01;31m")


def plain_log(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out, total, number = [], 0, 0
    while total < size:
        number += 1
        line = f"{number:08d} {' '.join(rng.choices(WORDS, k=rng.randint(3, 11)))}\r\n"
        out.append(line)
        total += len(line)
    return "".join(out).encode()


def ls_color(size: int, seed: int = 2) -> bytes:
    rng = random.Random(seed)
    out, total = [], 0
    while total < size:
        cells = []
        for _ in range(4):
            name = f"{rng.choice(WORDS)}-{rng.randint(0, 9999)}"
            cells.append(f"{rng.choice(COLOURS)}{name}\x1b[0m" + " " * (18 - len(name)))
        line = "".join(cells).rstrip() + "\r\n"
        out.append(line)
        total += len(line)
    return "".join(out).encode()


def menu_redraws(size: int, seed: int = 3) -> bytes:
    """A GRUB-like menu redrawn whole, over and over: clear, home, boxes, a highlighted entry."""
    rng = random.Random(seed)
    entries = [f"Debian GNU/Linux, with Linux 6.1.0-{n}-amd64" for n in range(10, 22)]
    out, total, frame = [], 0, 0
    while total < size:
        frame += 1
        chosen = rng.randrange(len(entries))
        parts = ["\x1b[H\x1b[J\x1b[?25l\x1b[2;24HGNU GRUB  version 2.06",
                 "\x1b[4;2H+" + "-" * 76 + "+"]
        for row, entry in enumerate(entries):
            style = "\x1b[7m" if row == chosen else "\x1b[m"
            parts.append(f"\x1b[{5 + row};2H|{style}{'*' if row == chosen else ' '}{entry:<75}\x1b[m|")
        parts.append(f"\x1b[18;2H+{'-' * 76}+\x1b[20;7HThe highlighted entry will be executed "
                     f"automatically in {frame % 30}s.\x1b[{5 + chosen};3H")
        frame_text = "".join(parts)
        out.append(frame_text)
        total += len(frame_text)
    return "".join(out).encode()


def boot_log(size: int, seed: int = 4) -> bytes:
    """dmesg lines (some wider than the screen) and systemd's coloured status lines."""
    rng = random.Random(seed)
    out, total, clock = [], 0, 0.0
    while total < size:
        clock += rng.random() / 50
        if rng.random() < 0.4:
            unit = f"{rng.choice(WORDS)}-{rng.randint(1, 99)}.service"
            status = rng.choice(("\x1b[0;32m  OK  \x1b[0m", "\x1b[0;1;31mFAILED\x1b[0m"))
            line = f"[{status}] Started \x1b[0;1;39m{unit}\x1b[0m - {' '.join(rng.choices(WORDS, k=4))}."
        else:
            width = rng.choice((3, 6, 9, 20))
            line = f"[{clock:12.6f}] {' '.join(rng.choices(WORDS, k=width))}"
        out.append(line + "\r\n")
        total += len(line) + 2
    return "".join(out).encode()


WORKLOADS: dict[str, Callable[[int], bytes]] = {
    "plain log lines": plain_log,
    "ls --color": ls_color,
    "menu redraws": menu_redraws,
    "Linux boot log": boot_log,
}

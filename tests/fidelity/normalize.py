"""What may differ between two runs of the same machine: masked before a comparison."""

from __future__ import annotations

import re

RULES = [
    (r"\d+\.\d+\.\d+-\d+-cloud-amd64", "KERNEL"),  # the kernel the mirror has today
    (r"Debian \d+\.\d+\.\d+-\d+ \(\d{4}-\d\d-\d\d\)", "Debian BUILD"),
    (r"GNU GRUB  version 2\.06-13\+deb12u\d+", "GNU GRUB  version 2.06-13+deb12uN"),
    (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID"),
    (r"\[\s*\d+\.\d{6}\]", "[TIMESTAMP]"),
    (r"NMI received for unknown reason [0-9a-f]+", "NMI received for unknown reason XX"),
    (r"\b(PID|pid)(:|=)\s*\d+", r"\1\2 N"),
    (r"(Process:) \d+", r"\1 N"),
    (r"^(\w{3} \d\d \d\d:\d\d:\d\d)", "DATE"),
    (r"(sshd|systemd)\[\d+\]", r"\1[N]"),
    (r"since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; [\w ]+ ago", "since TIME ago"),
    (r"(Memory|CPU): [\d.]+\w+", r"\1: N"),
    (r"─\d+ ", "─N "),
    (r"mod time \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}", "mod time DATE"),
]


def normalize(text: str) -> list[str]:
    """Lines with the varying parts masked; trailing blanks and blank edges dropped."""
    lines = []
    for line in text.splitlines():
        for pattern, replacement in RULES:
            line = re.sub(pattern, replacement, line)
        lines.append(line.rstrip())
    lines = _sorted_runs(lines, "[DEPEND]")
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def is_subsequence(short: list[str], long: list[str]) -> bool:
    remaining = iter(long)
    return all(any(line == candidate for candidate in remaining) for line in short)


def _sorted_runs(lines: list[str], prefix: str) -> list[str]:
    """systemd reports jobs that fail together in no fixed order: sort each run of them."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, None]:
        if line is not None and line.startswith(prefix):
            run.append(line)
            continue
        out += sorted(run)
        run = []
        if line is not None:
            out.append(line)
    return out

"""The Windows simulator against transcripts of the real SAC and cmd.exe (windows/*.txt): each one
quotes its sources, and is replayed here line by line (the format is in windows/README.md)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers.sac import CMD_READY, sign_in_to_sac
from serial_console_kernel.target import Target

TRANSCRIPTS = Path(__file__).parent / "windows"
PROMPT = re.compile(r"^(SAC>|!SAC>|[A-Z]:\\[^>]*>)(.*)$")
KEY = re.compile(r"^\[key (\S+)\]$")


@dataclass
class Step:
    typed: str | None  # a line typed, or None for a key
    key: str | None
    expected: list[str] = field(default_factory=list)


def parse(path: Path) -> tuple[dict[str, str], list[Step]]:
    header: dict[str, str] = {}
    steps = [Step(None, None)]  # what shows before the first input
    lines = path.read_text().splitlines()
    while lines and lines[0].startswith("#"):  # the header: sources, then scenario and channel
        name, _, value = lines.pop(0)[2:].partition(":")
        header[name.strip().lower()] = value.strip()
    for line in lines:
        prompt, key = PROMPT.match(line), KEY.match(line)
        if prompt and prompt.group(2):
            steps[-1].expected.append(prompt.group(1))
            steps.append(Step(prompt.group(2), None))
        elif key:
            steps.append(Step(None, key.group(1)))
        else:
            steps[-1].expected.append(line.rstrip())
    return header, steps


def contains(screen: list[str], expected: list[str]) -> bool:
    """`expected` appears in `screen` as consecutive rows; `...` matches any rows."""
    def match(at: int, want: list[str]) -> bool:
        if not want:
            return True
        if want[0] == "...":
            return any(match(i, want[1:]) for i in range(at, len(screen) + 1))
        return at < len(screen) and screen[at] == want[0] and match(at + 1, want[1:])
    return any(match(start, expected) for start in range(len(screen)))


def replay(path: Path) -> list[tuple[str, list[str], list[str]]]:
    """(what was done, what the transcript expects, what the simulator showed) per step."""
    header, steps = parse(path)
    shown = []

    async def main() -> None:
        target = Target()
        try:
            target.settings.quiet_ms = 100
            target.settings.timeout = 10
            await target.connect(f"sim:windows?scenario={header['scenario']}&speed=instant")
            if header["channel"] in ("cmd", "login"):
                await sign_in_to_sac(target)
            else:
                await target.wait(CMD_READY)
            for step in steps:
                if step.typed is not None:
                    await target.type_line(step.typed)
                elif step.key is not None:
                    await target.press([step.key])
                await target.quiet()
                screen = [row.rstrip() for row in target.snapshot().text().split("\n")]
                if step.typed is None and step.key is None and header["channel"] != "login":
                    continue  # the way in, not part of the transcript
                shown.append((step.typed or f"[key {step.key}]", step.expected, screen))
        finally:
            await target.close()

    asyncio.run(main())
    return shown


@pytest.mark.parametrize("path", sorted(TRANSCRIPTS.glob("*.txt")), ids=lambda p: p.stem)
def test_the_simulator_answers_as_the_transcript_says(path):
    for done, expected, screen in replay(path):
        assert contains(screen, expected), (
            f"{path.name}: after {done!r} the simulator shows\n" + "\n".join(screen)
            + "\n\nbut the transcript expects\n" + "\n".join(expected))


def test_the_comparison_fails_on_a_difference():
    assert contains(["a", "b", "c", "d"], ["b", "...", "d"])
    assert not contains(["a", "b", "c"], ["a", "c"])
    assert not contains(["Volume C: is not dirty", ""], ["Volume - C: is NOT Dirty"])

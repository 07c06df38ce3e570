"""Fuzz the engine: random bytes, heavy on escape sequences, through emulation, snapshot,
transcript and secret masking.  Counts exceptions by type; the goal is none.

    python benchmarks/fuzz.py [--strings N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "kernel"))

from serial_console_kernel.engine.ingest import FastForwardStream
from serial_console_kernel.engine.masking import Secrets
from serial_console_kernel.engine.screen import ConsoleScreen
from serial_console_kernel.engine.snapshot import take_snapshot
from serial_console_kernel.engine.transcript import Transcript

SECRET = "S3cr3t-Xyz!"
PIECES = [
    b"\x1b", b"\x1b[", b"\x1b]", b"\x1bP", b"\x1b_", b"\x1b(", b"\x1b#", b"\x1b%", b"\x1bc", b"\x9b",
    b"\x9d", b"\x1b[?", b";", b"?", b"$", b" ", b">", b"0", b"1", b"2", b"5", b"6", b"9", b"99999",
    b"A", b"B", b"C", b"D", b"G", b"H", b"J", b"K", b"L", b"M", b"P", b"S", b"T", b"X", b"@", b"m",
    b"h", b"l", b"r", b"n", b"c", b"d", b"f", b"g", b"q", b"s", b"u", b"\x07", b"\x08", b"\t", b"\n",
    b"\r", b"\x0b", b"\x0c", b"\x0e", b"\x0f", b"\x18", b"\x1a", b"\x00", b"\x7f", b"\\",
    "¹".encode(), "…".encode(), "語".encode(), b"\xe2\x80", b"\xff", b"\xc3", b"hello ", b"a" * 79,
    SECRET.encode(), SECRET[:5].encode(), SECRET[5:].encode(), b"x" * 200,
]


class Leak(Exception):
    """The secret reached a snapshot or the transcript unmasked."""


def random_input(rng: random.Random) -> list[bytes]:
    """One test case: a few chunks, so that sequences are cut at chunk boundaries too."""
    data = b"hello\r\n" + b"".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(0, 3))))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def run_one(chunks: list[bytes], transcript: Transcript) -> None:
    screen = ConsoleScreen(80, 25, scrollback=50)
    stream = FastForwardStream(screen)
    for chunk in chunks:
        stream.feed(chunk)
        transcript.write(chunk)
    snapshot = take_snapshot(screen, Secrets(SECRET))
    if SECRET.lower() in snapshot.text().lower():
        raise Leak(snapshot.text())
    snapshot.html()
    screen.line_before_cursor()
    screen.logical_lines()


def fuzz(strings: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    errors: Counter[str] = Counter()
    first: dict[str, tuple[list[bytes], str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        transcript = Transcript(Path(folder) / "fuzz.log")
        transcript.set_secrets(Secrets(SECRET))
        started = time.perf_counter()
        for _ in range(strings):
            chunks = random_input(rng)
            try:
                run_one(chunks, transcript)
            except Exception as err:  # noqa: BLE001 - counting them is the point
                name = type(err).__name__
                errors[name] += 1
                first.setdefault(name, (chunks, traceback.format_exc(limit=-3)))
        elapsed = time.perf_counter() - started
        transcript.close()
        if SECRET.lower() in (Path(folder) / "fuzz.log").read_text().lower():
            errors["Leak in the transcript"] += 1
    return {"strings": strings, "seed": seed, "strings_per_s": round(strings / elapsed),
            "exceptions": sum(errors.values()), "by_type": dict(errors), "examples": first}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = fuzz(args.strings, args.seed)
    print(f"{result['strings']} strings (seed {result['seed']}), {result['strings_per_s']} strings/s, "
          f"{result['exceptions']} exceptions {result['by_type']}")
    for name, (chunks, trace) in result["examples"].items():
        print(f"\n{name}: {b''.join(chunks)!r}\n{trace}")
    return 1 if result["exceptions"] else 0


if __name__ == "__main__":
    sys.exit(main())

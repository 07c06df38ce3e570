"""What pacing costs: one long line typed into a console that echoes every byte, all at once or
in %paste-limit pieces that each wait for the echo of the one before (engine/console.py)."""

from __future__ import annotations

import asyncio
import time

from servers import EchoingShell

from serial_console_kernel.target import Target


async def _type(url: str, line: str, paste_limit: int) -> tuple[float, str]:
    target = Target()
    target.settings.quiet_ms = 400
    await target.connect(url)
    try:
        target.settings.paste_limit = paste_limit
        started = time.perf_counter()
        await target.type_line(line)
        elapsed = time.perf_counter() - started
        return elapsed, target.snapshot().text()
    finally:
        await target.close()


def run(characters: int) -> list[dict]:
    server = EchoingShell()
    line = "".join(chr(ord("a") + i % 26) for i in range(characters))
    rows = []
    try:
        for limit in (0, 2048, 256, 16):
            elapsed, shown = asyncio.run(_type(server.url, line, limit))
            rows.append({"paste_limit": limit or "off", "characters": characters,
                         "pieces": 1 if not limit else -(-characters // limit),
                         "ms": round(elapsed * 1000, 1),
                         "chars_per_s": round(characters / elapsed),
                         "arrived_whole": f"got {characters}" in shown})
    finally:
        server.close()
    return rows

"""BREAK and Magic SysRq on the serial line itself: a BREAK, then the key within 5 seconds."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from .base import require

if TYPE_CHECKING:
    from ..transports.base import Transport


class LinePower:
    name = "line"
    actions = frozenset({"break", "sysrq"})

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def run(self, action: str, argument: str = "") -> str:
        require(self, action)
        await asyncio.to_thread(self.transport.send_break)
        if action == "sysrq":
            # Linux takes the next key after a BREAK as the SysRq command.
            await asyncio.sleep(0.1)
            await asyncio.to_thread(self.transport.write, argument[:1].encode())
            return f"BREAK and {argument[:1]!r} sent on the line"
        return "BREAK sent on the line"

    async def close(self) -> None:
        return None

"""The simulator's control channel: in-process for `sim:` targets, JSON lines over TCP for a
`serial-console sim` server (`sim:HOST:PORT`)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from ..errors import ConsoleError
from .base import ACTIONS, require

if TYPE_CHECKING:
    from ..transports.base import Transport


class SimulatorPower:
    name = "sim"
    actions = frozenset(ACTIONS)

    def __init__(self, spec: str, transport: Transport | None = None) -> None:
        self.address: tuple[str, int] | None = None
        self.simulation = None
        if spec.startswith("sim:"):
            host, _, port = spec[len("sim:"):].rpartition(":")
            if not host or not port.isdigit():
                raise ConsoleError(f"bad power backend {spec!r}: write sim:HOST:PORT")
            self.address = (host, int(port))
        else:
            self.simulation = getattr(transport, "simulation", None)
            if self.simulation is None:
                raise ConsoleError("the sim power backend needs a sim: target, or sim:HOST:PORT "
                                   "for a `serial-console sim` server")

    async def run(self, action: str, argument: str = "") -> str:
        require(self, action)
        if self.simulation is not None:
            return await asyncio.to_thread(self.simulation.control, action, argument)
        return await self._remote(action, argument)

    async def _remote(self, action: str, argument: str) -> str:
        assert self.address is not None, "a sim:HOST:PORT backend has an address"
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(*self.address), 10)
        except (OSError, asyncio.TimeoutError) as err:
            raise ConsoleError(f"cannot reach the simulator's control channel at "
                               f"{self.address[0]}:{self.address[1]}: {err}") from None
        try:
            writer.write(json.dumps({"action": action, "key": argument}).encode() + b"\n")
            await writer.drain()
            reply = json.loads(await asyncio.wait_for(reader.readline(), 10))
        finally:
            writer.close()
        if not reply.get("ok"):
            raise ConsoleError(reply.get("error", "the simulator refused"))
        return str(reply["result"])

    async def close(self) -> None:
        return None

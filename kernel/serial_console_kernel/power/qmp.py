"""QEMU's monitor over QMP, through the maintained `qemu.qmp` library."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from qemu.qmp import QMPClient

from ..errors import ConsoleError
from .base import require

if TYPE_CHECKING:
    from ..transports.base import Transport

# A graceful restart is what the keyboard does: Ctrl-Alt-Del.
_RESTART_KEYS = [{"type": "qcode", "data": key} for key in ("ctrl", "alt", "delete")]


class QmpPower:
    name = "qmp"
    actions = frozenset({"nmi", "reset", "restart", "power_off", "power_on", "power_cycle",
                         "sysrq", "break", "status"})

    def __init__(self, address: str, transport: Transport | None = None) -> None:
        self.transport = transport  # the console: SysRq is a BREAK on it, then the key
        if address.startswith("tcp:"):
            host, _, port = address[len("tcp:"):].rpartition(":")
            if not host or not port.isdigit():
                raise ConsoleError(f"bad QMP address {address!r}: write qmp:tcp:HOST:PORT")
            self.address: str | tuple[str, int] = (host, int(port))
        else:
            self.address = address
        self._client: QMPClient | None = None
        self._lock = asyncio.Lock()
        self._powered_off = False

    async def _connected(self) -> QMPClient:
        if self._client is None:
            client = QMPClient("serial-console")
            try:
                await asyncio.wait_for(client.connect(self.address), 10)
            except Exception as err:  # noqa: BLE001 - every connect failure is one line
                raise ConsoleError(f"cannot connect to QMP at {self.address}: {err}") from None
            self._client = client
        return self._client

    async def _execute(self, command: str, arguments: dict | None = None) -> Any:  # QMP's JSON
        async with self._lock:
            client = await self._connected()
            try:
                return await asyncio.wait_for(client.execute(command, arguments), 10)
            except Exception as err:  # noqa: BLE001
                await self.close()
                raise ConsoleError(f"QMP {command} failed: {err}") from None

    async def run(self, action: str, argument: str = "") -> str:
        require(self, action)
        if action == "nmi":
            await self._execute("inject-nmi")
        elif action in ("reset", "power_cycle"):
            await self._execute("system_reset")
            if (await self._status()) == "paused":
                await self._execute("cont")
        elif action == "restart":
            await self._execute("send-key", {"keys": _RESTART_KEYS})
        elif action == "power_off":
            # QMP cannot cut the power and keep QEMU: stop the CPUs, and boot from scratch on
            # power on (a `cont` would resume the machine where it was, which is not power on).
            await self._execute("stop")
            self._powered_off = True
        elif action == "power_on":
            if (await self._status()) == "running":
                return "already on"
            await self._execute("system_reset")
            await self._execute("cont")
            self._powered_off = False
        elif action == "sysrq" and self.transport is not None:
            # Magic SysRq over serial: a BREAK on the console's UART, then the key within 5 s.
            await self._execute("chardev-send-break", {"id": await self._serial_chardev()})
            await asyncio.sleep(0.05)
            await asyncio.to_thread(self.transport.write, argument[:1].encode())
        elif action == "sysrq":
            keys = [{"type": "qcode", "data": "alt"}, {"type": "qcode", "data": "sysrq"},
                    {"type": "qcode", "data": argument[:1]}]
            await self._execute("send-key", {"keys": keys})
        elif action == "break":
            await self._execute("chardev-send-break", {"id": await self._serial_chardev()})
        return await self._status() if action == "status" else f"{action} done"

    async def _status(self) -> str:
        status = str((await self._execute("query-status"))["status"])
        return "off" if status == "paused" and self._powered_off else status

    async def _serial_chardev(self) -> str:
        chardevs = await self._execute("query-chardev")
        for chardev in chardevs:
            if chardev["label"] in ("serial0", "ser0") or chardev["label"].startswith("serial"):
                return chardev["label"]
        raise ConsoleError("QEMU has no serial chardev to send a BREAK on")

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # QEMU may be gone already (EOFError after quit)
                await client.disconnect()

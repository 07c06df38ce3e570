"""`azure://SUBSCRIPTION/RESOURCE_GROUP/VM` as a power backend: the serial console service's
`adminCommand` requests, as `az serial-console send nmi|reset|sysrq` makes them, and the VM's
power state from ARM."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

from ..errors import ConsoleError
from ..transports.azure_console import AzureConsoleTransport, AzureVm
from .base import require

if TYPE_CHECKING:
    from ..transports.base import Transport

# Azure documents SysRq for Linux VMs only (`az serial-console send sysrq` and the portal).
SYSRQ_ON_WINDOWS = ("Azure sends SysRq to Linux VMs only: Windows has no Magic SysRq (%nmi "
                    "crashes Windows into a dump instead)")


class AzurePower:
    name = "azure"
    actions = frozenset({"nmi", "reset", "sysrq", "status"})

    def __init__(self, target: str, transport: Transport | None = None) -> None:
        self.console = transport if isinstance(transport, AzureConsoleTransport) else None
        self.vm = self.console.vm if self.console is not None else AzureVm(target, os.environ)

    async def run(self, action: str, argument: str = "") -> str:
        require(self, action)
        return await asyncio.to_thread(self._run, action, argument)

    def _run(self, action: str, argument: str) -> str:
        if action == "status":
            try:
                self.vm.check()
            except ConsoleError as err:
                return str(err).split(":")[0]  # "VM is deallocated", "boot diagnostics are off…"
            return "running"
        os_type = self.console.os_type if self.console is not None else self.vm.check()
        if action == "sysrq" and os_type.lower() == "windows":
            raise ConsoleError(SYSRQ_ON_WINDOWS)
        if action == "sysrq" and len(argument) != 1:
            raise ConsoleError("%sysrq needs one key, e.g. %sysrq h")
        url = self.console.console_url if self.console is not None else None
        url = url or self.vm.console_url()
        parameters = {"SysRqCommand": argument} if action == "sysrq" else {}
        self.vm.admin_command(url, action, parameters)
        return f"{action} done"

    async def close(self) -> None:
        return None

"""`libvirt:///system/DOMAIN` as a power backend: the domain API, as `virsh` uses it.

NMI is `injectNMI`, reset `reset` (the console stream stays open through it), restart is
Ctrl+Alt+Del on the domain's keyboard (what QMP's restart does too), power off `destroy` (the
plug, like IPMI's `off`), power on `create`, SysRq Alt+SysRq+KEY through `sendKey`.  There is no
serial BREAK in libvirt's API.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from ..errors import ConsoleError
from ..transports.libvirt_console import LibvirtTransport, libvirt_module, open_domain
from .base import require

if TYPE_CHECKING:
    from ..transports.base import Transport

# Linux input keycodes (linux/input-event-codes.h), the set sendKey takes with KEYCODE_SET_LINUX.
KEY_CTRL, KEY_ALT, KEY_DELETE, KEY_SYSRQ = 29, 56, 111, 99
ROWS = ("1234567890", 2), ("qwertyuiop", 16), ("asdfghjkl", 30), ("zxcvbnm", 44)
LINUX_KEYCODES = {key: first + offset for keys, first in ROWS for offset, key in enumerate(keys)}
STATES = {0: "no state", 1: "running", 2: "blocked", 3: "paused", 4: "shutting down",
          5: "off", 6: "crashed", 7: "suspended"}
TIMEOUT = 60.0


class LibvirtPower:
    name = "libvirt"
    actions = frozenset({"nmi", "reset", "restart", "power_off", "power_on", "power_cycle",
                         "sysrq", "status"})

    def __init__(self, target: str, transport: Transport | None = None) -> None:
        self.target = target
        # The console on the same domain: attached between a paused start and the resume.
        self.console = transport if isinstance(transport, LibvirtTransport) else None
        self._connection: Any = None
        self._domain: Any = None
        self._lock = asyncio.Lock()

    async def run(self, action: str, argument: str = "") -> str:
        require(self, action)
        libvirt = libvirt_module()
        async with self._lock:
            try:
                return await asyncio.wait_for(asyncio.to_thread(self._run, action, argument), TIMEOUT)
            except libvirt.libvirtError as err:
                raise ConsoleError(f"libvirt {action.replace('_', ' ')} failed: "
                                   f"{err.get_error_message()}") from None
            except asyncio.TimeoutError:
                raise ConsoleError(f"libvirt {action.replace('_', ' ')} did not finish within "
                                   f"{TIMEOUT:g} s") from None

    def _run(self, action: str, argument: str) -> str:
        libvirt = libvirt_module()
        if self._domain is None:
            self._connection, self._domain = open_domain(self.target)
        domain = self._domain
        if action == "status":
            return STATES.get(domain.state()[0], "unknown")
        if action == "power_on":
            if domain.isActive():
                return "already on"
            self._start()
        elif action == "power_cycle":
            if domain.isActive():
                domain.destroy()
            self._start()
        elif not domain.isActive():
            raise ConsoleError(f"{domain.name()} is off: %power on starts it")
        elif action == "nmi":
            domain.injectNMI()
        elif action == "reset":
            domain.reset()
        elif action == "restart":
            domain.sendKey(libvirt.VIR_KEYCODE_SET_LINUX, 0, [KEY_CTRL, KEY_ALT, KEY_DELETE], 3, 0)
        elif action == "power_off":
            domain.destroy()
        elif action == "sysrq":
            key = LINUX_KEYCODES.get(argument[:1].lower())
            if key is None:
                raise ConsoleError(f"no key code for SysRq {argument!r}: a letter or a digit")
            domain.sendKey(libvirt.VIR_KEYCODE_SET_LINUX, 0, [KEY_ALT, KEY_SYSRQ, key], 3, 0)
        return f"{action} done"

    def _start(self) -> None:
        """Start paused, attach the console, then run: the boot's first byte reaches the cell."""
        libvirt = libvirt_module()
        self._domain.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        if self.console is not None and self.console.domain_name == self._domain.name():
            with contextlib.suppress(ConsoleError):  # the boot still happens, unseen
                self.console.attach()
        self._domain.resume()

    async def close(self) -> None:
        connection, self._connection, self._domain = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(connection.close)

"""`ipmi://USER@HOST[:PORT]` as a power backend: chassis control through the BMC, with pyghmi.

on, off, cycle, reset and diag (the NMI: "pulse diagnostic interrupt", which many BMCs do not
implement: then the BMC's own refusal is the error), status; BREAK and SysRq go on the SOL
console when it is the console in use, whose session the commands then share.  The password
comes as for the console (IPMI_PASSWORD).
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

from ..errors import ConsoleError
from ..transports.ipmi_sol import (
    CONTROL_CODES,
    BmcAddress,
    IpmiSolTransport,
    chassis,
    on_pyghmi_thread,
    pyghmi,
    session_closed,
    session_opened,
)
from .base import require

if TYPE_CHECKING:
    from ..transports.base import Transport

NAMES = {"power_on": "power on", "power_off": "power off", "power_cycle": "power cycle",
         "reset": "hard reset", "nmi": "diag (NMI)"}
TIMEOUT = 30.0


class IpmiPower:
    name = "ipmi"

    def __init__(self, target: str, transport: Transport | None = None) -> None:
        self.bmc = BmcAddress(target, getattr(transport, "environ", None) or os.environ)
        self.sol = transport if isinstance(transport, IpmiSolTransport) else None
        line: set[str] = {"sysrq", "break"} if self.sol is not None else set()
        self.actions = frozenset({*CONTROL_CODES, "status", *line})
        self._own: Any = None  # a session of our own, when the console is not this BMC's SOL
        self._lock = asyncio.Lock()

    async def run(self, action: str, argument: str = "") -> str:
        require(self, action)
        if action in ("break", "sysrq") and self.sol is not None:
            await asyncio.to_thread(self.sol.send_break)
            if action == "sysrq":
                await asyncio.sleep(0.05)  # the key follows the BREAK, as Linux expects
                await asyncio.to_thread(self.sol.write, argument[:1].encode(), 5)
            return f"{action} done"
        async with self._lock:
            return await asyncio.to_thread(on_pyghmi_thread, lambda: self._chassis(action), TIMEOUT)

    def _session(self) -> Any:
        if self.sol is not None and self.sol.bmc.key == self.bmc.key and self.sol.session is not None:
            return self.sol.session
        if self._own is None:
            session_opened(self.bmc)
            command = pyghmi().command.Command(self.bmc.host, self.bmc.user, self.bmc.password,
                                               port=self.bmc.port)
            self._own = command.ipmi_session
        return self._own

    def _chassis(self, action: str) -> str:
        """On the pyghmi thread."""
        session = self._session()
        if action == "status":
            return chassis(session)
        if action == "power_cycle" and chassis(session) == "off":
            action = "power_on"  # IPMI's cycle does nothing to a machine that is off
        try:
            chassis(session, action)
        except ConsoleError as err:
            hint = "; NMI support varies by BMC" if action == "nmi" else ""
            raise ConsoleError(f"the BMC at {self.bmc.shown} refused {NAMES[action]}: {err}{hint}") from None
        return f"{action} done"

    async def close(self) -> None:
        session, self._own = self._own, None
        if session is not None:
            await asyncio.to_thread(on_pyghmi_thread, lambda: session_closed(self.bmc, session), 10)

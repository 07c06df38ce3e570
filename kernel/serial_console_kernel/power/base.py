"""The interface every power backend implements."""

from __future__ import annotations

from typing import Protocol

from ..errors import UnsupportedAction

ACTIONS = ("nmi", "reset", "restart", "power_off", "power_on", "power_cycle", "sysrq", "break",
           "status")
DESCRIPTIONS = {"nmi": "NMI sent", "reset": "hard reset sent", "restart": "restart sent",
                "power_off": "power off sent", "power_on": "power on sent",
                "power_cycle": "power cycle sent", "sysrq": "SysRq {} sent", "break": "BREAK sent",
                "status": "status"}


class PowerBackend(Protocol):
    name: str
    actions: frozenset[str]

    async def run(self, action: str, argument: str = "") -> str:
        """Do `action`; returns what the target answered, one line."""
        ...

    async def close(self) -> None: ...


def require(backend: PowerBackend, action: str) -> None:
    if action not in backend.actions:
        supported = ", ".join(a for a in ACTIONS if a in backend.actions) or "nothing"
        raise UnsupportedAction(
            f"the {backend.name} power backend cannot {action.replace('_', ' ')}; it supports: "
            f"{supported} (set another with %power-backend)")

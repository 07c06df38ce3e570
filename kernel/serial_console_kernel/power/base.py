"""The interface every power backend implements."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple, Protocol

from ..errors import UnsupportedAction


class Action(str, Enum):
    """What a power backend can do.  A str, so "nmi" and Action.NMI are the same key."""

    NMI = "nmi"
    RESET = "reset"
    RESTART = "restart"
    POWER_OFF = "power_off"
    POWER_ON = "power_on"
    POWER_CYCLE = "power_cycle"
    SYSRQ = "sysrq"
    BREAK = "break"
    STATUS = "status"


class ActionText(NamedTuple):
    label: str  # the panel's button
    done: str  # the audit line, before " via BACKEND"; {} is the SysRq key
    confirm: str | None = None  # destructive: the panel asks this first


TEXT = {
    Action.NMI: ActionText("NMI", "NMI sent",
                           "Are you sure you want to send an NMI? It crashes the OS into a dump."),
    Action.RESET: ActionText("Reset", "hard reset sent",
                             "Are you sure you want to hard reset the machine?"),
    Action.RESTART: ActionText("Restart", "restart sent"),
    Action.POWER_OFF: ActionText("Power off", "power off sent",
                                 "Are you sure you want to power the machine off?"),
    Action.POWER_ON: ActionText("Power on", "power on sent"),
    Action.POWER_CYCLE: ActionText("Power cycle", "power cycle sent"),
    Action.SYSRQ: ActionText("SysRq", "SysRq {} sent"),
    Action.BREAK: ActionText("BREAK", "BREAK sent"),
    Action.STATUS: ActionText("Status", "status"),
}
ACTIONS = tuple(action.value for action in Action)
DESCRIPTIONS = {action.value: text.done for action, text in TEXT.items()}


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

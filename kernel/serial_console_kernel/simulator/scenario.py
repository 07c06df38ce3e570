"""Simulator: a scenario is a healthy machine with one fault put in; each machine keeps a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

State = TypeVar("State")


@dataclass(frozen=True)
class Scenario(Generic[State]):
    description: str
    fault: Callable[[State], None] | None = None  # what it changes on a healthy machine


def faulty_state(table: dict[str, Scenario[State]], name: str, healthy: Callable[[str], State],
                 kind: str) -> State:
    """A healthy state for scenario `name`, with its fault put in."""
    if name not in table:
        raise ValueError(f"unknown {kind} scenario {name!r}: {', '.join(table)}")
    state = healthy(name)
    fault = table[name].fault
    if fault is not None:
        fault(state)
    return state

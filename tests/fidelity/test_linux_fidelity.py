"""The Linux simulator against recordings of the real Debian 12 VM (record_linux.py): the same
steps on both, every recorded screen compared after normalization."""

from __future__ import annotations

import asyncio
import difflib
from pathlib import Path

import pytest

from fidelity.normalize import is_subsequence, normalize
from fidelity.steps import SCRIPTS
from serial_console_kernel.simulator.linux.state import PASSWORD
from serial_console_kernel.target import Target

RECORDINGS = Path(__file__).parent / "linux"


def simulate(variant: str) -> dict[str, tuple[str, str]]:
    """Each named step's screen on the simulator, with how it is compared."""
    shown: dict[str, tuple[str, str]] = {}

    async def main() -> None:
        target = Target()
        try:
            # In process the machine answers at once: a short quiet, shorter than a tick of the
            # boot menu's countdown, so that the menu is still there after the connect.
            target.settings.quiet_ms = 100
            target.settings.timeout = 10
            await target.connect(f"sim:linux?scenario={variant}&speed=instant")
            for step in SCRIPTS[variant](PASSWORD):
                await step.run(target)
                if step.name:
                    shown[step.name] = (target.snapshot(full=step.full).text(), step.compare)
        finally:
            await target.close()

    asyncio.run(main())
    return shown


@pytest.mark.parametrize("variant", list(SCRIPTS))
def test_the_simulator_shows_what_the_real_vm_showed(variant):
    differences = []
    for name, (text, compare) in simulate(variant).items():
        recorded = normalize((RECORDINGS / f"{name}.txt").read_text())
        simulated = normalize(text)
        same = simulated == recorded if compare == "exact" else is_subsequence(simulated, recorded)
        if not same:
            diff = "\n".join(difflib.unified_diff(recorded, simulated, "real", "simulator", lineterm=""))
            differences.append(f"{name} ({compare}):\n{diff}")
    assert not differences, "\n\n".join(differences)

"""Record what the real Debian 12 VM shows for every screen and command the Linux runbooks and
the simulator's scenarios use, as a cell would show it, into tests/fidelity/linux/NAME.txt.

    .venv/bin/python tests/fidelity/record_linux.py          (about 4 minutes under TCG)

The recordings are committed; tests/fidelity/test_linux_fidelity.py plays the same steps on
the simulator and compares the two, normalized (normalize.py)."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from fidelity.steps import SCRIPTS, Step  # noqa: E402
from serial_console_kernel.target import Target  # noqa: E402
from targets.build_debian_vm import ROOT_PASSWORD, disk  # noqa: E402
from targets.qemu_vm import LinuxVM  # noqa: E402

OUT = HERE / "linux"


async def play(target: Target, steps: list[Step], save: Callable[[str, str], None]) -> None:
    for step in steps:
        await step.run(target)
        if step.name:
            save(step.name, target.snapshot(full=step.full).text())


def record(variant: str, steps: list[Step]) -> None:
    vm = LinuxVM(disk=disk(variant))
    threading.Thread(target=vm.start_when_connected, kwargs={"timeout": 60}, daemon=True).start()

    def save(name: str, text: str) -> None:
        (OUT / f"{name}.txt").write_text(text + "\n")
        print(f"  {name}: {len(text.splitlines())} lines", flush=True)

    async def main() -> None:
        target = Target()
        try:
            await target.connect(vm.console_url, power=f"qmp:{vm.qmp_path}")
            target.settings.timeout = 200
            await play(target, steps, save)
        finally:
            await target.close()

    try:
        asyncio.run(main())
    finally:
        vm.stop()


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for variant, steps in SCRIPTS.items():
        if len(sys.argv) > 1 and variant not in sys.argv[1:]:
            continue
        print(variant, flush=True)
        record(variant, steps(ROOT_PASSWORD))

"""linux-qemu-tour.ipynb under nbval against a VM booted for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from targets.qemu_vm import LinuxVM

from .make_tour import environment, start_when_connected

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def test_the_qemu_tour_notebook_passes_nbval():
    vm = LinuxVM()
    try:
        start_when_connected(vm)
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval",
             "--nbval-sanitize-with", "tests/nbval-sanitize.cfg", "--nbval-cell-timeout", "120",
             str(HERE / "linux-qemu-tour.ipynb")],
            cwd=ROOT, env=dict(os.environ, **environment(vm)), capture_output=True, text=True,
            timeout=500)
    finally:
        vm.stop()
    assert run.returncode == 0, run.stdout[-4000:]
    assert " 7 passed" in run.stdout, run.stdout[-2000:]

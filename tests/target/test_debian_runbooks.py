"""The Linux runbooks on a real Debian 12 VM (systemd, GRUB in the MBR, bash), as a new user
runs them: `serial-console run NOTEBOOK --target "socket://… --power qmp:…"`.  Each starts its
own VM from the fault's disk image (tests/targets/build_debian_vm.py); the fstab one waits out
systemd's real 90 s device timeout."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from targets.build_debian_vm import ROOT_PASSWORD, disk
from targets.qemu_vm import LinuxVM

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
COMMAND = str(Path(sys.executable).parent / "serial-console")
# runbook: the disk variant with its fault
PROVEN_ON_DEBIAN = {
    "linux-iptables-lockout": "iptables-drops-ssh",
    "linux-grub-single-user": "healthy",
    "linux-fstab-emergency-mode": "root-locked",  # the harder case: nobody can log in
}


# Whether the runbook signs in (the others get in through GRUB, with no sign-in to undo).
SIGNS_IN = {"linux-iptables-lockout": True, "linux-grub-single-user": False,
            "linux-fstab-emergency-mode": False}


@pytest.mark.parametrize("runbook", list(PROVEN_ON_DEBIAN))
def test_runbook_passes_on_real_debian(runbook, tmp_path):
    vm = LinuxVM(disk=disk(PROVEN_ON_DEBIAN[runbook]))
    try:
        # QEMU waits paused until the runbook's %connect is there: no boot byte is lost.
        threading.Thread(target=vm.start_when_connected, kwargs={"timeout": 120}, daemon=True).start()
        out = tmp_path / "out.ipynb"
        result = subprocess.run(
            [COMMAND, "run", str(NOTEBOOKS / f"{runbook}.ipynb"), "-o", str(out),
             "--target", f"{vm.console_url} --power qmp:{vm.qmp_path}"],
            capture_output=True, text=True, timeout=900,
            env=dict(os.environ, ROOT_PASSWORD=ROOT_PASSWORD))
        # The kernel shut down at the end of the run: the next client must not find a root shell.
        left = vm.prompt_for_new_client() if result.returncode == 0 else b""
    finally:
        vm.stop()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    executed = nbformat.read(out, as_version=4)
    shown = "".join(output.get("text", "") + output.get("data", {}).get("text/plain", "")
                    for cell in executed.cells if cell.cell_type == "code" for output in cell.outputs)
    assert f"connected to {vm.console_url}" in shown  # it ran on the VM, not the simulator
    assert ROOT_PASSWORD not in shown
    if SIGNS_IN[runbook]:  # signed in with %password: signed out when the kernel shut down
        assert b"login:" in left, left[-300:]


def test_every_linux_runbook_is_proven_on_real_debian_and_the_index_says_so():
    linux = {path.stem for path in NOTEBOOKS.glob("linux-*.ipynb") if ".out" not in path.name}
    assert linux == set(PROVEN_ON_DEBIAN)
    index = (NOTEBOOKS / "README.md").read_text().splitlines()
    claimed = {line.split("](")[0].lstrip("| [") for line in index
               if line.endswith("| simulator, real Debian 12 (QEMU) |")}
    assert claimed == set(PROVEN_ON_DEBIAN)

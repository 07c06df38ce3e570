"""A fleet run with a real machine in the mix: the iptables runbook over a real Debian 12 VM
(its password a parameter of its line in the targets file) and simulated VMs at once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from targets.build_debian_vm import ROOT_PASSWORD, disk
from targets.qemu_vm import LinuxVM

RUNBOOK = Path(__file__).parents[2] / "notebooks" / "linux-iptables-lockout.ipynb"
COMMAND = str(Path(sys.executable).parent / "serial-console")


def test_a_real_debian_vm_and_simulated_ones_in_one_fleet(tmp_path):
    vm = LinuxVM(disk=disk("iptables-drops-ssh"))
    targets = tmp_path / "targets.txt"
    targets.write_text(
        f"{vm.console_url} --power qmp:{vm.qmp_path} name=debian-real ROOT_PASSWORD={ROOT_PASSWORD}\n"
        + "".join(f"sim:linux?scenario=iptables-drops-ssh name=sim-{i}\n" for i in range(4)))
    out = tmp_path / "out"
    try:
        threading.Thread(target=vm.start_when_connected, kwargs={"timeout": 120}, daemon=True).start()
        done = subprocess.run([COMMAND, "run", str(RUNBOOK), "--targets", str(targets), "--out",
                               str(out), "--parallel", "5"], capture_output=True, text=True,
                              timeout=900)
    finally:
        vm.stop()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    rows = {o["name"]: o for o in json.loads((out / "report.json").read_text())["outcomes"]}
    assert {name: row["status"] for name, row in rows.items()} == dict.fromkeys(
        ["debian-real", *(f"sim-{i}" for i in range(4))], "passed")
    real = (out / "debian-real" / "transcript.log").read_text()
    simulated = (out / "sim-0" / "transcript.log").read_text()
    assert f"connected to {vm.console_url}" in real and "debian-target login:" in real
    assert "connected to sim:linux?scenario=iptables-drops-ssh" in simulated
    assert vm.console_url not in simulated  # nothing of one target in another's artifacts
    for artifact in out.rglob("*"):
        if artifact.is_file():
            assert ROOT_PASSWORD not in artifact.read_text(errors="replace"), artifact

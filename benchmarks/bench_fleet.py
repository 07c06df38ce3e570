"""Fleet runs: one runbook over 1 to 200 simulated Windows VMs (a third with a fault the runbook
cannot fix), each size in its own process: wall time, peak memory of the whole process tree
(sampled with psutil: the Dask workers count too), and how much slower each target ran than a
target alone."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

RUNBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "windows-firewall-blocks-rdp.ipynb"
SCENARIOS = ("firewall-blocks-rdp", "healthy", "rdp-disabled")  # the last one fails, as meant

# Runs in a child process: the fleet, and a sampler summing the RSS of the tree.
_CHILD = """
import json, sys, threading, time, psutil
from serial_console_kernel.tools.fleet_run import run_fleet
me, peak, stop = psutil.Process(), [0], threading.Event()
def sample():
    while not stop.is_set():
        try:
            total = sum(p.memory_info().rss for p in [me, *me.children(recursive=True)])
        except psutil.Error:
            continue
        peak[0] = max(peak[0], total)
        time.sleep(0.1)
threading.Thread(target=sample, daemon=True).start()
started = time.perf_counter()
status = run_fleet(sys.argv[1], targets_file=sys.argv[2], target_specs=[], out=sys.argv[3],
                   parallel=int(sys.argv[4]), max_failures=None, cell_timeout=300,
                   dask=sys.argv[5] or None, dry_run=False, retry_failed=None)
wall = time.perf_counter() - started
stop.set()
print(json.dumps({"wall": wall, "peak_rss": peak[0], "status": status}))
"""


def _fleet(count: int, parallel: int, dask: str, folder: Path) -> dict:
    targets = folder / f"targets-{count}.txt"
    targets.write_text("".join(f"sim:windows?scenario={SCENARIOS[i % 3]} name=vm-{i:03d}\n"
                               for i in range(count)))
    out = folder / f"out-{count}-{parallel}-{dask.replace(':', '')}"
    done = subprocess.run([sys.executable, "-c", _CHILD, str(RUNBOOK), str(targets), str(out),
                           str(parallel), dask], capture_output=True, text=True, timeout=1800)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    outcomes = json.loads((out / "report.json").read_text())["outcomes"]
    expected = {"passed": count - count // 3, "failed": count // 3}
    got = {status: sum(o["status"] == status for o in outcomes) for status in expected}
    return {**measured, "outcomes_right": got == expected,
            "mean_target_s": sum(o["seconds"] for o in outcomes) / len(outcomes)}


def run(sizes: tuple[int, ...], dask_size: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as name:
        folder = Path(name)
        alone = _fleet(1, 1, "", folder)
        plan = [(n, n, "") for n in sizes]
        plan += [(max(sizes), p, "") for p in (10, 50) if p < max(sizes)]
        plan += [(dask_size, dask_size, "local:2")] if dask_size else []
        for count, parallel, dask in plan:
            measured = alone if (count, parallel, dask) == (1, 1, "") else _fleet(count, parallel,
                                                                                 dask, folder)
            rows.append({
                "targets": count, "parallel": parallel, "where": dask or "this process",
                "wall_s": round(measured["wall"], 1),
                "x_one_target_wall": round(measured["wall"] / alone["wall"], 2),
                "peak_rss_MB": round(measured["peak_rss"] / 2**20),
                "MB_per_extra_target": (round((measured["peak_rss"] - alone["peak_rss"])
                                              / 2**20 / (count - 1), 2) if count > 1 else "-"),
                "target_slowdown": round(measured["mean_target_s"] / alone["mean_target_s"], 2),
                "outcomes_right": measured["outcomes_right"]})
    return rows

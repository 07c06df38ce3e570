"""Fleet runs (`serial-console run NOTEBOOK --targets FILE`), as a user runs them: the command in
its own process, over simulated VMs, on this process or a 2-worker Dask LocalCluster."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.tools.fleet import parse_targets

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
FIREWALL = NOTEBOOKS / "windows-firewall-blocks-rdp.ipynb"
COMMAND = str(Path(sys.executable).parent / "serial-console")
# The runbook fixes the first, passes on the second, and cannot fix the third (RDP is off).
MIX = ("firewall-blocks-rdp", "healthy", "rdp-disabled")


def targets_file(folder: Path, count: int, scenarios=MIX) -> Path:
    path = folder / "targets.txt"
    path.write_text("# a fleet of simulated VMs\n\n" + "".join(
        f"sim:windows?scenario={scenarios[i % len(scenarios)]} name=vm-{i:03d}\n"
        for i in range(count)))
    return path


def fleet(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([COMMAND, "run", str(FIREWALL), *args], capture_output=True, text=True,
                          timeout=timeout)


def report(out: Path) -> dict[str, dict]:
    return {o["name"]: o for o in json.loads((out / "report.json").read_text())["outcomes"]}


def test_200_targets_each_get_their_row_their_notebook_and_their_transcript(tmp_path):
    out = tmp_path / "out"
    done = fleet("--targets", str(targets_file(tmp_path, 200)), "--out", str(out),
                 "--parallel", "100")
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]  # some cannot be fixed
    rows = report(out)
    assert len(rows) == 200
    for i in range(200):
        row, scenario = rows[f"vm-{i:03d}"], MIX[i % 3]
        assert row["spec"] == f"sim:windows?scenario={scenario}"
        if scenario == "rdp-disabled":
            assert row["status"] == "failed" and row["steps_done"] == 7
            assert row["failed_step"].startswith("[8/8] netstat -an")
            assert "LISTENING" in row["error"] and "sc-screen" in row["screen_html"]
        else:
            assert row["status"] == "passed" and row["steps_done"] == 8 == row["steps"]
        folder = out / f"vm-{i:03d}"
        # Its own console: the transcript names its own scenario only.
        transcript = (folder / "transcript.log").read_text()
        assert f"connected to sim:windows?scenario={scenario}" in transcript
        assert all(other not in transcript for other in MIX if other != scenario)
        executed = json.loads((folder / FIREWALL.name).read_text())
        assert executed["cells"][2]["outputs"], "the executed notebook keeps its outputs"
    suite = ElementTree.parse(out / "junit.xml").getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("200", "66", "0")
    failed = [case.get("name") for case in suite if case.find("failure") is not None]
    assert failed == [f"vm-{i:03d}" for i in range(200) if i % 3 == 2]
    page = (out / "report.html").read_text()
    assert page.count("<tr>") == 201 and "134 passed, 66 failed" in page
    assert 'href="vm-002/windows-firewall-blocks-rdp.ipynb"' in page
    assert "134 passed, 66 failed" in done.stdout


def test_max_failures_stops_starting_new_targets(tmp_path):
    out = tmp_path / "out"
    done = fleet("--targets", str(targets_file(tmp_path, 12, ("rdp-disabled",))), "--out", str(out),
                 "--parallel", "2", "--max-failures", "3")
    assert done.returncode == 1
    statuses = [row["status"] for row in report(out).values()]
    assert 3 <= statuses.count("failed") <= 4  # the ones already running when the third failed
    assert statuses.count("not run") == 12 - statuses.count("failed")
    suite = ElementTree.parse(out / "junit.xml").getroot().find("testsuite")
    assert int(suite.get("skipped")) == statuses.count("not run")


def test_retry_failed_runs_only_what_did_not_pass(tmp_path):
    out = tmp_path / "out"
    targets = targets_file(tmp_path, 6)
    assert fleet("--targets", str(targets), "--out", str(out)).returncode == 1
    # The broken ones are fixed meanwhile: here, by pointing them at a VM the runbook can fix.
    targets.write_text(targets.read_text().replace("rdp-disabled", "firewall-blocks-rdp"))
    again = fleet("--retry-failed", str(out))
    assert again.returncode == 0, again.stdout[-2000:]
    rows = report(out)
    assert all(row["status"] == "passed" for row in rows.values()) and len(rows) == 6
    assert again.stdout.count(": passed") == 2  # only vm-002 and vm-005 ran again


def test_dry_run_lists_and_runs_nothing(tmp_path):
    path = tmp_path / "targets.txt"
    path.write_text("socket://10.0.0.5:4555 --power qmp:/run/vm5.sock name=web-17 SAC_PASSWORD=x\n"
                    "sim:windows?scenario=healthy\n")
    done = fleet("--targets", str(path), "--dry-run", "--out", str(tmp_path / "out"))
    assert done.returncode == 0
    listed = "web-17               socket://10.0.0.5:4555 --power qmp:/run/vm5.sock SAC_PASSWORD=…"
    assert listed in done.stdout
    assert "target-002" in done.stdout and "2 targets would run" in done.stdout
    assert "=x" not in done.stdout  # parameter values (secrets) are not printed
    assert not (tmp_path / "out").exists()


def test_the_same_fleet_on_a_two_worker_dask_cluster(tmp_path):
    out = tmp_path / "out"
    done = fleet("--targets", str(targets_file(tmp_path, 9)), "--out", str(out), "--parallel", "6",
                 "--dask", "local:2")
    assert done.returncode == 1, done.stderr[-3000:]
    rows = report(out)
    assert [rows[f"vm-{i:03d}"]["status"] for i in range(9)] == ["passed", "passed", "failed"] * 3
    assert (out / "vm-004" / "transcript.log").read_text().count("connected to") == 1


def test_targets_file_errors_are_one_line_and_name_the_line():
    with pytest.raises(ConsoleError, match="line 2: the name 'a' is used twice"):
        parse_targets(["sim:windows name=a", "sim:linux name=a"], "t.txt")
    with pytest.raises(ConsoleError, match="line 1: bad name"):
        parse_targets(["sim:windows name=../x"], "t.txt")
    with pytest.raises(ConsoleError, match="lists no target"):
        parse_targets(["# nothing", ""], "t.txt")
    spec = parse_targets(['"exec:ssh -t admin@bmc" --keys ems name=bmc1 TOKEN=a=b'])[0]
    assert (spec.name, spec.spec, spec.env) == ("bmc1", '"exec:ssh -t admin@bmc" --keys ems',
                                                {"TOKEN": "a=b"})


def test_ctrl_c_stops_cleanly_and_still_writes_the_reports(tmp_path):
    # In real time the VMs take 5 s to reach their first Stop error: the runbook's first steps
    # are still waiting when Ctrl-C comes.
    targets = tmp_path / "targets.txt"
    targets.write_text("".join(f"sim:windows?scenario=bad-driver-boot-loop&speed=real name=vm-{i}\n"
                               for i in range(4)))
    out = tmp_path / "out"
    process = subprocess.Popen([COMMAND, "run", str(NOTEBOOKS / "windows-bad-driver-boot-loop.ipynb"),
                                "--targets", str(targets), "--out", str(out), "--parallel", "2"],
                               stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(3)  # well into the first steps (there is no event to await from outside)
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    statuses = [row["status"] for row in report(out).values()]
    assert statuses == ["interrupted"] * 4  # two were running, two never started
    assert "connected to" in (out / "vm-0" / "transcript.log").read_text()
    assert (out / "junit.xml").exists() and not (out / "vm-3").exists()
    assert "4 interrupted" in stdout


def test_the_live_view_counts_and_names_the_steps():
    from rich.console import Console

    from serial_console_kernel.tools.fleet import Outcome, Progress
    from serial_console_kernel.tools.fleet_report import progress_view

    progress = Progress(3)
    progress.finished(Outcome("vm-0", "sim:windows", "passed"))
    progress.step("vm-1", "[3/8] ch -si 1")
    console = Console(width=100, record=True)
    console.print(progress_view(progress))
    text = console.export_text()
    assert "1/3 done" in text and "1 passed" in text and "1 running" in text
    assert "vm-1" in text and "[3/8] ch -si 1" in text

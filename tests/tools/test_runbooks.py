"""Runbooks as operators run them: `serial-console run`, papermill, and a broken runbook that
must fail.  (nbval itself runs every runbook in notebooks/ as part of the suite.)"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from serial_console_kernel.tools.runner import run_notebook

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
BIN = Path(sys.executable).parent
FIREWALL = NOTEBOOKS / "windows-firewall-blocks-rdp.ipynb"
# `serial-console run` writes NAME.out.ipynb beside a runbook (README command 1 does): not one.
RUNBOOKS = [path for path in NOTEBOOKS.glob("*.ipynb") if not path.name.endswith(".out.ipynb")]
SIMULATOR_RUNBOOKS = sorted(RUNBOOKS)
SANITIZE = Path(__file__).parents[1] / "nbval-sanitize.cfg"


def run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)


def test_every_runbook_is_listed_with_its_symptom():
    index = (NOTEBOOKS / "README.md").read_text()
    for notebook in RUNBOOKS:
        assert f"[{notebook.stem}]({notebook.name})" in index


def test_runbooks_connect_to_the_target_variable_and_keep_no_password():
    for notebook in RUNBOOKS:
        nb = nbformat.read(notebook, as_version=4)
        sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
        assert sources[0].startswith("%connect ${SERIAL_CONSOLE_TARGET:-sim:"), notebook.name
        text = json.dumps(nb.dict())
        assert "Sim-P@ssw0rd!" not in text, f"a password is written in {notebook.name}"


@pytest.mark.parametrize("mode", [[], ["--in-process"]], ids=["kernel", "in-process"])
def test_headless_run_reports_each_step(tmp_path, mode):
    out = tmp_path / "out.ipynb"
    result = run(str(BIN / "serial-console"), "run", str(FIREWALL), "-o", str(out), *mode)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[1/8] %connect ${SERIAL_CONSOLE_TARGET:-sim:windows" in result.stdout
    assert result.stdout.strip().endswith(f"passed; executed notebook written to {out}")
    assert "without encryption" not in result.stderr  # the kernel is reached over private sockets
    executed = nbformat.read(out, as_version=4)
    assert executed.cells[-1].outputs, "the executed notebook keeps its outputs"


def test_a_runbook_without_its_fix_fails_loudly(tmp_path):
    nb = nbformat.read(FIREWALL, as_version=4)
    nb.cells = [cell for cell in nb.cells if "new enable=yes" not in cell.source]
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    result = run(str(BIN / "serial-console"), "run", str(broken), "-o", str(tmp_path / "o.ipynb"))
    assert result.returncode == 1
    assert "[6/7] netsh advfirewall firewall show rule" in result.stdout
    assert "FAILED\n    ExpectationFailed: expected /Enabled:\\s+Yes/ in the output" in result.stdout


def test_a_broken_runbook_fails_under_nbval_too(tmp_path):
    nb = nbformat.read(FIREWALL, as_version=4)
    nb.cells = [cell for cell in nb.cells if "new enable=yes" not in cell.source]
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    result = run(sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider",
                 "--rootdir", str(tmp_path), str(broken), cwd=tmp_path)
    assert result.returncode == 1
    assert "ExpectationFailed" in result.stdout


def test_papermill_parameters_become_the_target_variable(tmp_path):
    out = tmp_path / "papermill.ipynb"
    result = run(str(BIN / "papermill"), str(FIREWALL), str(out), "-p", "target",
                 "sim:windows?scenario=healthy", "-k", "serial-console")
    assert result.returncode == 0, result.stderr[-2000:]
    executed = nbformat.read(out, as_version=4)
    assert "%env SERIAL_CONSOLE_TARGET=sim:windows?scenario=healthy" in executed.cells[0].source
    connect = next(cell for cell in executed.cells if cell.source.startswith("%connect"))
    connected = "".join(o.get("text", "") for o in connect.outputs)
    assert "connected to sim:windows?scenario=healthy" in connected


def _sanitized(outputs: list) -> list:
    """What nbval compares, with the suite's sanitizers applied."""
    rules = re.findall(r"^regex: (.*)\nreplace: (.*)$", SANITIZE.read_text(), re.M)
    text = json.dumps([{key: value for key, value in output.items() if key != "execution_count"}
                       for output in outputs], sort_keys=True)
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text)
    return json.loads(text)


@pytest.mark.parametrize("runbook", SIMULATOR_RUNBOOKS, ids=lambda path: path.stem)
def test_in_process_run_gives_the_cells_the_kernel_gave(runbook, tmp_path, monkeypatch):
    # No kernel: the cells run on a Target in this process, and must answer as they do in
    # Jupyter (the saved outputs, which nbval checks against the kernel).
    monkeypatch.delenv("SERIAL_CONSOLE_TARGET", raising=False)
    out = tmp_path / "out.ipynb"
    report = io.StringIO()
    assert run_notebook(str(runbook), output=str(out), in_process=True, stream=report) == 0, \
        report.getvalue()
    saved, executed = (nbformat.read(path, as_version=4) for path in (runbook, out))
    for before, after in zip(saved.cells, executed.cells, strict=True):
        if before.cell_type == "code":
            assert _sanitized(after.outputs) == _sanitized(before.outputs), before.source

"""binder/ builds what mybinder.org builds: a clean venv from binder/requirements.txt plus
binder/postBuild has the kernelspec and runs a runbook against the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=900, **kwargs)


def test_a_clean_venv_from_the_binder_files_runs_a_runbook(tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    python = venv / "bin" / "python"
    run(str(python), "-m", "pip", "install", "--quiet", "-r", str(ROOT / "binder/requirements.txt"))
    env = dict(os.environ, PATH=f"{venv / 'bin'}:{os.environ['PATH']}")
    env.pop("VIRTUAL_ENV", None)
    run("bash", str(ROOT / "binder/postBuild"), env=env)

    specs = json.loads(run(str(venv / "bin/jupyter"), "kernelspec", "list", "--json").stdout)
    spec = specs["kernelspecs"]["serial-console"]
    assert spec["resource_dir"].startswith(str(venv)), spec["resource_dir"]
    assert spec["spec"]["display_name"] == "Serial Console"

    out = tmp_path / "executed.ipynb"
    result = run(str(venv / "bin/serial-console"), "run",
                 str(ROOT / "notebooks/windows-firewall-blocks-rdp.ipynb"), "-o", str(out), env=env)
    assert out.is_file()
    assert "error" not in [o.get("output_type") for c in json.loads(out.read_text())["cells"]
                           for o in c.get("outputs", [])], result.stdout

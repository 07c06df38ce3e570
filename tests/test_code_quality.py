"""The code as a reviewer reads it: ruff's rules and mypy's types, run by the suite (so by CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_ruff_finds_nothing():
    result = run("ruff", "check", "kernel", "tests", "benchmarks", "tools")
    assert result.returncode == 0, result.stdout[-4000:]


def test_mypy_finds_nothing_in_the_package():
    # Settings in pyproject.toml: every function typed, untyped bodies checked too.
    result = run("mypy")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Success: no issues found" in result.stdout

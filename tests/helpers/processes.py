"""Start helper processes in their own session and stop them by their own PID, always."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

HELPERS = Path(__file__).parent


def start_helper(module: str, *args: str) -> tuple[subprocess.Popen, str]:
    """Start a helper process that prints its first line (a port) when ready."""
    process = subprocess.Popen(
        [sys.executable, str(HELPERS / module), *args],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    first_line = process.stdout.readline().strip()
    if not first_line:
        stop_process(process)
        raise RuntimeError(f"{module} did not start")
    return process, first_line


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def start_sim_server(kind: str, *args: str, listen: str = "127.0.0.1:0") -> tuple[subprocess.Popen, str]:
    """`serial-console sim KIND … --listen ADDRESS` in its own process: (process, console HOST:PORT)."""
    command = str(Path(sys.executable).parent / "serial-console")
    process = subprocess.Popen([command, "sim", kind, *args, "--listen", listen],
                               stdout=subprocess.PIPE, text=True, start_new_session=True)
    banner = process.stdout.readline().split()
    if "console" not in banner:
        stop_process(process)
        raise RuntimeError(f"serial-console sim {kind} did not start")
    return process, banner[banner.index("console") + 1]

"""Fixtures start real processes (a kernel, a TCP console) and always stop them by their PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

HELPERS = Path(__file__).parent / "helpers"


# Secrets reach the kernel the way a runbook's do: through its environment.
os.environ["TCP_CONSOLE_PASSWORD"] = "hunter2-secret"


@pytest.fixture(scope="module")
def kernel():
    """A real Serial Console kernel process; yields (manager, client)."""
    km, kc = start_new_kernel(kernel_name="serial-console", startup_timeout=60)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture
def kc(kernel):
    return kernel[1]


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


@pytest.fixture(scope="module")
def tcp_console():
    """URL of a TCP console served by its own process."""
    process, port = start_helper("tcp_console.py")
    try:
        yield f"socket://127.0.0.1:{port}"
    finally:
        stop_process(process)

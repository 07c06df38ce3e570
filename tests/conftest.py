"""Fixtures start real processes (a kernel, a TCP console) and always stop them by their PID."""

from __future__ import annotations

import os

import pytest
from jupyter_client.manager import start_new_kernel

from helpers.processes import start_helper, stop_process

# Tiers for the edit-test loop; CI runs everything.  Marked by where a test lives or what it
# starts, so none is forgotten:
#   pytest -m quick                               engine, transports, power, simulator, magics:
#                                                 no kernel process (under a minute)
#   pytest -m "not vm and not browser and not slow"   also real kernels and the runbooks (~3 min)
TIERS = {"target": "vm", "test_browser.py": "browser", "test_binder.py": "slow",
         "test_benchmarks.py": "slow", "tools": "kernel", "notebooks": "kernel"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        for part in item.path.parts[-2:]:
            if part in TIERS:
                item.add_marker(TIERS[part])
        if "kernel" in getattr(item, "fixturenames", ()) or item.path.suffix == ".ipynb":
            item.add_marker("kernel")
        if not any(item.get_closest_marker(name) for name in ("vm", "browser", "slow", "kernel")):
            item.add_marker("quick")


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


@pytest.fixture(scope="module")
def tcp_console():
    """URL of a TCP console served by its own process."""
    process, port = start_helper("tcp_console.py")
    try:
        yield f"socket://127.0.0.1:{port}"
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def kc_module(kernel):
    return kernel[1]

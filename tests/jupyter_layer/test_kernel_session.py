"""The kernel leaves the console signed out when it shuts down (a notebook closed, a restart):
a real kernel process, shut down gracefully, on `serial-console sim` served over TCP."""

from __future__ import annotations

import asyncio

from jupyter_client.manager import start_new_kernel

from helpers.jupyter import execute
from helpers.processes import start_sim_server, stop_process
from serial_console_kernel.simulator.windows.state import ADMIN_PASSWORD
from serial_console_kernel.target import Target


async def channels_seen_by_a_new_client(console: str) -> str:
    target = Target()
    target.settings.quiet_ms = 200
    await target.connect(f"socket://{console}")
    try:
        await target.type_line("ch")
        return target.snapshot().text()
    finally:
        await target.close()


def test_a_kernel_shut_down_leaves_sac_signed_out(monkeypatch):
    monkeypatch.setenv("SAC_PASSWORD", ADMIN_PASSWORD)
    process, console = start_sim_server("windows")
    try:
        km, kc = start_new_kernel(kernel_name="serial-console", startup_timeout=60)
        try:
            execute(kc, f"%connect socket://{console} --keys ems")
            execute(kc, "%wait EVENT: The CMD command is now available. --timeout 60")
            execute(kc, "cmd\nch -si 1\n%key Enter")
            signed_in = execute(kc, "Administrator\n\n%password SAC_PASSWORD\n"
                                    "%expect C:\\Windows\\system32>")
            assert signed_in.status == "ok", signed_in.error
            assert "logout auto (signed in here)" in execute(kc, "%status").stdout
        finally:
            kc.stop_channels()
            km.shutdown_kernel()  # a shutdown request, as Jupyter sends when a notebook closes
        listing = asyncio.run(channels_seen_by_a_new_client(console))
    finally:
        stop_process(process)
    assert "0 (AV)    SAC" in listing
    assert "Cmd0001" not in listing  # the channel was closed and SAC locked

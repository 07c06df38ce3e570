"""Consoles behind management peers: how long `%connect` takes and how fast a typed line comes
back, over libvirt (libvirtd, a TCG domain of the busybox VM), IPMI Serial-over-LAN (ipmi_sim
as that VM's BMC) and the Azure console protocol (the local HTTPS fake, the simulator behind
it).  The peers are the test suite's own (tests/targets, tests/helpers)."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import regex

TESTS = Path(__file__).parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from serial_console_kernel.simulator.linux.state import PASSWORD as SIMULATOR_PASSWORD  # noqa: E402
from serial_console_kernel.target import Target  # noqa: E402

ROOT_PASSWORD = "serial-target-pw"  # the busybox VM's (tests/targets/build_linux_vm.py)


async def _measure(target: str, password: str, lines: int, start: Callable[[], object] | None,
                   environ: dict[str, str]) -> dict:
    console = Target(environ=dict(os.environ, **environ))
    started = time.monotonic()
    await console.connect(target)
    connected = time.monotonic() - started
    if start is not None:
        start()
    await console.wait(regex.compile("login:"), timeout=120)
    await console.type_line("root")
    await console.type_password(password)
    times, answered = [], 0
    for number in range(lines):
        started = time.monotonic()
        await console.type_line(f"echo line-{number}")
        times.append(time.monotonic() - started)
        answered += f"line-{number}" in console.snapshot().text().splitlines()  # the output, not the echo
    await console.close()
    return {"connect_ms": round(connected * 1000),
            "line_round_trip_ms": round(statistics.median(times) * 1000, 1), "lines": lines,
            "every_line_answered": answered == lines}


def _libvirt(lines: int) -> dict:
    from targets.libvirt_host import BusyboxDomain, LibvirtHost

    host = LibvirtHost()
    domain = BusyboxDomain(host)
    try:
        domain.start_paused()
        return asyncio.run(_measure(domain.target, ROOT_PASSWORD, lines, domain.resume, {}))
    finally:
        domain.remove()
        host.stop()


def _ipmi(lines: int) -> dict:
    from targets.ipmi_bmc import PASSWORD, IpmiSimBmc, ipmitool

    bmc = IpmiSimBmc()
    try:
        return asyncio.run(_measure(bmc.url, ROOT_PASSWORD, lines,
                                    lambda: ipmitool(bmc, "chassis", "power", "on"),
                                    {"IPMI_PASSWORD": PASSWORD}))
    finally:
        bmc.stop()


def _azure(lines: int) -> dict:
    from helpers.processes import start_helper, stop_process

    with tempfile.TemporaryDirectory() as folder:
        cert, key = f"{folder}/cert.pem", f"{folder}/key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        process, port = start_helper("azure_fake.py", "--cert", cert, "--key", key, "--token", "bench")
        os.environ["SSL_CERT_FILE"] = cert  # read by ssl's default context, process-wide
        try:
            return asyncio.run(_measure("azure://bench/rg/vm1", SIMULATOR_PASSWORD, lines, None, {
                "AZURE_RESOURCE_MANAGER_ENDPOINT": f"https://127.0.0.1:{port}",
                "SERIAL_CONSOLE_AZURE_TOKEN": "bench"}))
        finally:
            os.environ.pop("SSL_CERT_FILE", None)
            stop_process(process)


def run(lines: int) -> list[dict]:
    return [{"console": "libvirt (libvirtd, TCG domain)", **_libvirt(lines)},
            {"console": "IPMI SOL (ipmi_sim, pyghmi)", **_ipmi(lines)},
            {"console": "Azure protocol (local fake + simulator)", **_azure(lines)}]

"""A real kernel process driven by jupyter_client: cell latency after the prompt, memory after
floods and many cells, and the live screen's update rate and CPU."""

from __future__ import annotations

import os
import socket
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from jupyter_client.manager import start_new_kernel
from servers import ShellServer
from workloads import boot_log

TICKS = os.sysconf("SC_CLK_TCK")
QUIET_MS = 100


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@contextmanager
def kernel_on(server: ShellServer):
    manager, client = start_new_kernel(kernel_name="serial-console", startup_timeout=60)
    try:
        execute(client, f"%connect {server.url}")
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client, code: str, timeout: float = 600) -> dict:
    """Run a cell; returns its execute_reply, read the moment it arrives."""
    msg_id = client.execute(code, stop_on_error=False)
    while True:
        reply = client.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{code!r}: {reply['content'].get('evalue')}")
            return reply


def drain_iopub(client) -> list[dict]:
    messages = []
    while client.iopub_channel.msg_ready():
        messages.append(client.get_iopub_msg(timeout=1))
    return messages


def pid_of(manager) -> int:
    return manager.provisioner.process.pid


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _stats(latencies: list[float]) -> dict:
    ms = [value * 1000 for value in latencies]
    return {"p50_ms": round(statistics.median(ms), 2), "p99_ms": round(percentile(ms, 0.99), 2)}


def latency(cells: int) -> dict:
    server = ShellServer()
    raw = []
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        seen = b""
        while not seen.endswith(b"$ "):
            seen += sock.recv(4096)
        for n in range(cells):
            sock.sendall(b"echo %d\r" % n)
            seen = b""
            while not seen.endswith(b"$ "):
                seen += sock.recv(4096)
            raw.append(time.perf_counter() - server.prompt_written[-1])
    prompt_cells, quiet_cells, new_prompt_cells = [], [], []
    with kernel_on(server) as (_, client):
        execute(client, f"%quiet {QUIET_MS}")
        for n in range(cells):
            execute(client, f"echo {n}")
            prompt_cells.append(time.perf_counter() - server.prompt_written[-1])
            drain_iopub(client)
        for n in range(max(20, cells // 5)):
            execute(client, f"noprompt {n}")
            quiet_cells.append(time.perf_counter() - server.prompt_written[-1] - QUIET_MS / 1000)
            drain_iopub(client)
        # A prompt not seen before must hold still for NEW_PROMPT_SETTLE (console.py) first.
        for n in range(max(20, cells // 5)):
            execute(client, f"newprompt {n}")
            new_prompt_cells.append(time.perf_counter() - server.prompt_written[-1])
            drain_iopub(client)
    server.close()
    raw_stats, prompt_stats, quiet_stats = _stats(raw), _stats(prompt_cells), _stats(quiet_cells)
    return {
        "cells": cells,
        "raw_socket": raw_stats,
        "prompt_cell": prompt_stats,
        "quiet_cell_beyond_quiet_time": quiet_stats,
        "new_prompt_cell": _stats(new_prompt_cells),
        "prompt_cell_overhead": {key: round(prompt_stats[key] - raw_stats[key], 2) for key in raw_stats},
    }


def memory(flood_mb: float, cells: int) -> dict:
    server = ShellServer()
    with tempfile.TemporaryDirectory() as folder, kernel_on(server) as (manager, client):
        pid = pid_of(manager)
        start = rss_mb(pid)
        execute(client, f"%log {folder}/transcript.txt")
        execute(client, f"flood {flood_mb}\n%wait END-OF-FLOOD --timeout 600")
        drain_iopub(client)
        after_flood = peak_rss_mb(pid)
        transcript_mb = os.path.getsize(f"{folder}/transcript.txt") / 1e6
        for n in range(cells):
            execute(client, f"echo {n}")
            drain_iopub(client)
        after_cells = peak_rss_mb(pid)
    server.close()
    return {"rss_at_start_MB": round(start, 1), "flood_MB": flood_mb,
            "peak_rss_after_flood_MB": round(after_flood, 1),
            "transcript_on_disk_MB": round(transcript_mb, 1), "cells": cells,
            "peak_rss_after_cells_MB": round(after_cells, 1)}


def live_view(seconds: float) -> dict:
    server = ShellServer(boot_log(200_000))
    with kernel_on(server) as (manager, client):
        pid = pid_of(manager)
        execute(client, "%controls")
        drain_iopub(client)
        idle_from = cpu_seconds(pid)
        time.sleep(seconds)  # measuring idle CPU: nothing to wait for by design
        idle_cpu = (cpu_seconds(pid) - idle_from) / seconds
        drain_iopub(client)
        busy_from = cpu_seconds(pid)
        started = time.perf_counter()
        execute(client, f"%timeout {seconds + 30}\nstream {seconds}")
        elapsed = time.perf_counter() - started
        busy_cpu = (cpu_seconds(pid) - busy_from) / elapsed
        updates = sum(1 for message in drain_iopub(client)
                      if message["msg_type"] == "comm_msg"
                      and "value" in message["content"]["data"].get("state", {}))
    server.close()
    return {"stream_seconds": round(elapsed, 1), "live_updates_per_s": round(updates / elapsed, 1),
            "cpu_while_streaming_115200": f"{busy_cpu:.1%}", "cpu_idle_connected": f"{idle_cpu:.1%}"}

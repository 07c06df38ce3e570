"""Ingest: a flood served unthrottled over TCP, through our transport, emulation, snapshot and
transcript, against the raw socket and plain pyte fed the same bytes in the same process."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import pyte
from servers import FloodServer
from workloads import WORKLOADS

from serial_console_kernel.engine.session import ConsoleSession
from serial_console_kernel.engine.transcript import Transcript
from serial_console_kernel.transports import open_transport

LINE_RATE = 115200 / 10  # bytes per second on a 115200-baud line (8N1)
CHUNK = 65536


def ours(url: str, size: int, transcript_path: Path) -> tuple[float, ConsoleSession]:
    arrived = threading.Event()
    started = time.perf_counter()
    session = ConsoleSession(open_transport(url))
    session.set_transcript(Transcript(transcript_path))
    session.add_listener(lambda: session.progress().received >= size and arrived.set())
    session.start()
    if not arrived.wait(300):
        raise RuntimeError(f"only {session.progress().received} of {size} bytes arrived")
    session.snapshot()
    return time.perf_counter() - started, session


def raw_socket(port: int, size: int) -> float:
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        received = 0
        while received < size:
            data = sock.recv(CHUNK)
            if not data:
                raise RuntimeError("the flood server hung up early")
            received += len(data)
    return time.perf_counter() - started


def plain_pyte(screen: pyte.Screen, data: bytes) -> float:
    stream = pyte.ByteStream(screen)
    started = time.perf_counter()
    for offset in range(0, len(data), CHUNK):
        stream.feed(data[offset:offset + CHUNK])
    return time.perf_counter() - started


def run(size: int, history_sample: int) -> list[dict]:
    results = []
    for name, make in WORKLOADS.items():
        data = make(size)
        server = FloodServer(data)
        with tempfile.TemporaryDirectory() as folder:
            transcript = Path(folder) / "transcript.txt"
            seconds, session = ours(server.url, len(data), transcript)
            session.close()
            transcript_whole = transcript.read_bytes() == data
        raw_seconds = raw_socket(server.port, len(data))
        server.close()
        reference = pyte.Screen(80, 25)
        screen_seconds = plain_pyte(reference, data)
        sample = data[:history_sample]
        history_seconds = plain_pyte(pyte.HistoryScreen(80, 25, history=2000), sample)
        ours_screen = session.screen
        same_screen = (ours_screen.display == reference.display
                       and (ours_screen.cursor.x, ours_screen.cursor.y)
                       == (reference.cursor.x, reference.cursor.y))
        mbps = len(data) / seconds / 1e6
        results.append({
            "workload": name,
            "bytes": len(data),
            "ours_MBps": round(mbps, 2),
            "raw_socket_MBps": round(len(data) / raw_seconds / 1e6, 1),
            "pyte_Screen_MBps": round(len(data) / screen_seconds / 1e6, 2),
            "pyte_HistoryScreen_MBps": round(len(sample) / history_seconds / 1e6, 3),
            "x_HistoryScreen": round(mbps / (len(sample) / history_seconds / 1e6), 1),
            "x_line_rate_115200": round(len(data) / seconds / LINE_RATE),
            "final_screen_equals_pyte": same_screen,
            "transcript_holds_every_byte": transcript_whole,
        })
    return results


HOSTILE = {
    "insert mode, one long line": lambda size: b"hello\r\n\x1b[4h" + b"x" * size,
    "scroll region": lambda size: b"hello\r\n\x1b[5;10r" + b"".join(
        b"line %06d of the region\r\n" % n for n in range(size // 26)),
    "one line, no newline": lambda size: b"y" * size,
    "unterminated titles": lambda size: b"".join(
        b"\x1b]0;title %d no end " % n + b"z" * 40 for n in range(size // 60)),
}


def hostile(size: int) -> list[dict]:
    """Inputs that take the slow, cell-by-cell path (or none at all): the engine alone."""
    rows = []
    for name, make in HOSTILE.items():
        data = make(size)
        session = ConsoleSession(open_transport("loop://"))
        started = time.perf_counter()
        for start in range(0, len(data), CHUNK * 16):
            session.feed(data[start:start + CHUNK * 16])
        elapsed = time.perf_counter() - started
        session.close()
        rows.append({"input": name, "bytes": len(data), "MBps": round(len(data) / elapsed / 1e6, 2),
                     "dropped_sequences": session.malformed})
    return rows

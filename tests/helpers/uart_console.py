"""A console that behaves like a slow UART, served over TCP, run as its own process by the tests.

What arrives goes into a FIFO of FIFO_BYTES that the "CPU" empties at RATE bytes a second,
echoing each character; a byte that arrives while the FIFO is full is lost, as on an overrun.
On Enter the console answers how many characters the line had, then its `$ ` prompt.
It prints its port on stdout, then serves one client at a time.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections import deque

from tcp_console import serve_one_at_a_time  # run as a script: its folder is on the path

FIFO_BYTES = 16
RATE = 4000  # bytes a second


def serve(client: socket.socket) -> None:
    fifo: deque[int] = deque()
    lock = threading.Lock()
    closed = threading.Event()

    def receive() -> None:
        while (data := client.recv(4096)):
            with lock:
                for byte in data:
                    if len(fifo) < FIFO_BYTES:  # else: overrun, the byte is gone
                        fifo.append(byte)
        closed.set()

    threading.Thread(target=receive, daemon=True).start()
    client.sendall(b"uart ready\r\n$ ")
    line = bytearray()
    while not closed.is_set():
        time.sleep(1 / RATE)
        with lock:
            byte = fifo.popleft() if fifo else None
        if byte is None:
            continue
        if byte in (0x0D, 0x0A):
            client.sendall(b"\r\ngot %d characters\r\n$ " % len(line))
            line.clear()
        else:
            line.append(byte)
            client.sendall(bytes([byte]))


def main() -> None:
    serve_one_at_a_time(serve)


if __name__ == "__main__":
    sys.exit(main())

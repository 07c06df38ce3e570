"""A line shell served on a thread over real TCP, that the test can watch: it echoes what it
is typed, kills the line on Ctrl-U as a tty does, answers each line with `got LINE` and a `$ `
prompt, and records the lines and how many characters came.  `reading=False` makes a peer that
never reads (its buffers fill up)."""

from __future__ import annotations

import socket
import threading


class LineShell:
    def __init__(self, reading: bool = True) -> None:
        self.reading = reading
        self.lines: list[str] = []
        self.received = 0
        self.got_some = threading.Event()  # three characters of the current line arrived
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self._listener.getsockname()[1]}"
        self._clients: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            client, _ = self._listener.accept()
        except OSError:
            return
        self._clients.append(client)
        client.sendall(b"line shell\r\n$ ")
        if not self.reading:
            return
        line = ""
        while True:
            try:
                data = client.recv(1)
            except OSError:
                return
            if not data:
                return
            char = data.decode("latin-1")
            self.received += 1
            if char == "\r":
                self.got_some.clear()
                self.lines.append(line)
                client.sendall(f"\r\ngot {line}\r\n$ ".encode())
                line = ""
            elif char == "\x15":
                client.sendall(b"\r$ \x1b[K")
                line = ""
            else:
                line += char
                client.sendall(data)
                if len(line) >= 3:
                    self.got_some.set()

    def close(self) -> None:
        self._listener.close()
        for client in self._clients:
            client.close()

"""Consoles served by the benchmark itself, on threads, over real TCP sockets."""

from __future__ import annotations

import socket
import threading
import time


class _Server:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"socket://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve_and_close, args=(client,), daemon=True).start()

    def _serve_and_close(self, client: socket.socket) -> None:
        try:
            self.serve(client)
        except OSError:
            pass
        finally:
            client.close()

    def serve(self, client: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._listener.close()


class FloodServer(_Server):
    """Sends `payload` unthrottled to each client, then waits for the client to hang up."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        super().__init__()

    def serve(self, client: socket.socket) -> None:
        client.sendall(self.payload)
        while client.recv(4096):
            pass


class ShellServer(_Server):
    """A line-at-a-time shell with a `$ ` prompt.  `echo X` answers X then the prompt;
    `noprompt X` answers X and no prompt (a cell that ends on silence); `flood N MB` sends N
    megabytes of log lines, then `END-OF-FLOOD` and the prompt; `stream N` sends a boot log
    at 115200 baud for N seconds; `newprompt N` answers N then a prompt not seen before,
    `host-N$ `.  `prompt_written` holds when each prompt's last byte left."""

    def __init__(self, boot_log: bytes = b"") -> None:
        self.prompt_written: list[float] = []
        self.boot_log = boot_log
        self.prompt = b"$ "
        super().__init__()

    def serve(self, client: socket.socket) -> None:
        client.sendall(b"bench shell\r\n$ ")
        pending = b""
        while True:
            data = client.recv(4096)
            if not data:
                return
            pending += data
            while b"\r" in pending:
                line, _, pending = pending.partition(b"\r")
                self._answer(client, line.decode())

    def _answer(self, client: socket.socket, line: str) -> None:
        word, _, rest = line.partition(" ")
        if word == "noprompt":
            # Stamped before the send: a client that reads at once must find its stamp.
            self.prompt_written.append(time.perf_counter())
            client.sendall(f"{line}\r\n{rest}\r\n".encode())
            return
        if word == "flood":
            client.sendall(f"{line}\r\n".encode())
            block = b"".join(b"flood %08d kernel: eth0 link up, 1000 Mbps full duplex\r\n" % n
                             for n in range(16384))
            for _ in range(max(1, int(float(rest) * (1 << 20)) // len(block))):
                client.sendall(block)
            client.sendall(b"END-OF-FLOOD\r\n")
        elif word == "stream":
            client.sendall(f"{line}\r\n".encode())
            end = time.monotonic() + float(rest)
            offset = 0
            while time.monotonic() < end:  # 115200 baud: 1152 bytes every 100 ms
                client.sendall(self.boot_log[offset:offset + 1152])
                offset = (offset + 1152) % max(1, len(self.boot_log) - 1152)
                time.sleep(0.1)
        else:
            client.sendall(f"{line}\r\n{rest}\r\n".encode())
        if word == "newprompt":
            self.prompt = f"host-{rest}$ ".encode()
        self.prompt_written.append(time.perf_counter())
        client.sendall(self.prompt)


class EchoingShell(_Server):
    """Echoes every byte as it comes, as a shell's line editor does; on Enter answers how many
    characters the line had, then `$ `."""

    def serve(self, client: socket.socket) -> None:
        client.sendall(b"echoing shell\r\n$ ")
        count = 0
        while (data := client.recv(65536)):
            line, enter, rest = data.partition(b"\r")
            count += len(line)
            client.sendall(line)
            if enter:
                client.sendall(b"\r\ngot %d\r\n$ " % count)
                count = len(rest)
                client.sendall(rest)

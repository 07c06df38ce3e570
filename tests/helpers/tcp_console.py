"""A small line-based console served over TCP, run as its own process by the tests.

It prints its port on stdout, then serves one client at a time: a `login:`/`Password:` exchange
(the password is not echoed, as on a real getty), then a `$ ` prompt with a few commands that
exercise the kernel: floods, garbage bytes, colours, silence, a dropped connection.
"""

from __future__ import annotations

import socket
import sys
import time

PASSWORD = b"hunter2-secret"


def serve(client: socket.socket) -> None:
    def send(data: bytes) -> None:
        client.sendall(data)

    def read_line(echo: bool = True) -> bytes | None:
        line = b""
        while True:
            data = client.recv(1)
            if not data:
                return None
            if data in (b"\r", b"\n"):
                send(b"\r\n")
                return line
            line += data
            if echo:
                send(data)

    send(b"tcp-console ready\r\nlogin: ")
    user = read_line()
    if user is None:
        return
    send(b"Password: ")
    password = read_line(echo=False)
    if password != PASSWORD:
        send(b"Login incorrect\r\nlogin: ")
        serve_shell(client, send, read_line, logged_in=False)
        return
    send(b"Welcome " + user + b"\r\n")
    serve_shell(client, send, read_line, logged_in=True)


def serve_shell(client, send, read_line, logged_in: bool) -> None:
    while True:
        send(b"$ " if logged_in else b"")
        line = read_line()
        if line is None:
            return
        word, _, rest = line.decode("utf-8", "replace").partition(" ")
        if word == "echo":
            send(rest.encode() + b"\r\n")
        elif word == "flood":
            count = int(rest or 1000)
            send(b"".join(b"flood line %d of %d\r\n" % (i, count) for i in range(1, count + 1)))
        elif word == "garbage":
            send(b"bad \xff\xfe\xc3\x28 nul \x00\x00 esc \x1b[999;999H\x1b[?777h\x1b]0;t\x07 end\r\n")
            send(b"x" * 50000 + b"\r\n")
        elif word == "color":
            send(b"\x1b[1;31mred bold\x1b[0m \x1b[7mreverse\x1b[0m \x1b[4munder\x1b[0m\r\n")
        elif word == "slow":
            for i in range(3):
                send(b"tick %d\r\n" % i)
                time.sleep(0.1)
        elif word == "silent":
            time.sleep(float(rest or 60))
        elif word == "split":
            # Output that pauses right after a prompt-like character, as a dmesg line split
            # in two packets does: `… (gcc) #` + 50 ms + `1 SMP …`.
            for i in range(20):
                sign = "#$%>"[i % 4].encode()
                send(b"[    0.%06d] Linux version 6.1 (gcc) " % i + sign)
                time.sleep(0.05)
                send(b"1 SMP PREEMPT_DYNAMIC Debian\r\n")
        elif word == "hostile":
            # Sequences pyte raises on, an unterminated title, a prompt ending at column 80.
            send(b"\x1b[1;2A\x1b[?5G\x1b[6;1n\x1b[4J\x1b[?6h\x1b[6n\x1b[?6l" + "\x1b[¹A".encode()
                 + b"\x1b[" + b"9" * 5000 + b"A\x1b]8y4T no end\r\n\x1b[2J\x1b[Hstill alive\r\n" + b"x" * 78)
        elif word == "echo-secret":
            send(b"you typed " + PASSWORD + b"\r\n")
        elif word == "bye":
            client.close()
            return
        elif word:
            send(b"sh: " + word.encode() + b": not found\r\n")


def serve_one_at_a_time(serve_client) -> None:
    """Print the port, then serve one client at a time, for ever (the helpers' main loop)."""
    server = socket.create_server(("127.0.0.1", 0))
    print(server.getsockname()[1], flush=True)
    while True:
        client, _ = server.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            serve_client(client)
        except OSError:
            pass
        finally:
            client.close()


def main() -> None:
    serve_one_at_a_time(serve)


if __name__ == "__main__":
    sys.exit(main())

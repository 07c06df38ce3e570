"""`exec:COMMAND ARGS…`: any console program on a pseudo-terminal (virsh console, ipmitool sol…)."""

from __future__ import annotations

import contextlib
import os
import select
import shlex
import signal
import subprocess
import threading

from ..errors import ConsoleError, TransportClosed
from .base import no_break, write_all


class CommandTransport:
    can_break = False  # a pty has no BREAK to pass on

    def __init__(self, target: str, *, baud: int = 0) -> None:
        command = target[len("exec:"):] if target.startswith("exec:") else target
        try:
            self.argv = shlex.split(command)
        except ValueError as err:
            raise ConsoleError(f"cannot parse exec: command: {err}") from None
        if not self.argv:
            raise ConsoleError("exec: needs a command, e.g. exec:virsh console vm1")
        self.description = "exec:" + command.strip()
        self._process: subprocess.Popen[bytes] | None = None
        self._fd = -1
        self._write_lock = threading.Lock()

    def open(self) -> None:
        leader, follower = os.openpty()
        env = dict(os.environ, TERM="vt100")
        try:
            self._process = subprocess.Popen(
                self.argv,
                stdin=follower,
                stdout=follower,
                stderr=follower,
                start_new_session=True,
                env=env,
            )
        except OSError as err:
            os.close(leader)
            raise ConsoleError(f"cannot run {self.argv[0]}: {err.strerror}") from None
        finally:
            os.close(follower)
        os.set_blocking(leader, False)  # writes wait in select, bounded (see write_all)
        self._fd = leader

    def read(self, timeout: float) -> bytes:
        if self._fd < 0:
            raise TransportClosed(f"{self.description} is closed")
        try:
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if not ready:
                return b""
            data = os.read(self._fd, 65536)
        except BlockingIOError:
            return b""
        except (OSError, ValueError):
            data = b""  # Linux reports EIO on the pty once the program exited
        if not data:
            raise TransportClosed(self._exit_text())
        return data

    def _exit_text(self) -> str:
        status = None
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = self._process.wait(timeout=2)
        return f"{self.argv[0]} exited with status {status}"

    def write(self, data: bytes, timeout: float | None = None,
              abort: threading.Event | None = None) -> None:
        fd = self._fd
        if fd < 0:
            raise TransportClosed(f"{self.description} is closed")

        def send_some(chunk: memoryview) -> int:
            try:
                return os.write(fd, chunk)
            except BlockingIOError:
                return 0

        def writable(seconds: float) -> bool:
            return bool(select.select([], [fd], [], seconds)[1])

        try:
            with self._write_lock:
                write_all(data, send_some, writable, timeout, abort)
        except (OSError, ValueError) as err:
            raise TransportClosed(f"{self.description}: {getattr(err, 'strerror', None) or err}") from None

    def send_break(self) -> None:
        no_break("exec:")

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGHUP)
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=2)
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

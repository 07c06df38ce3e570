"""Run the Linux test target under QEMU: serial on a TCP chardev (raw or telnet), QMP on a Unix
socket, started paused so that no boot byte is lost before a client connects."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from qemu.qmp import QMPError
from qemu.qmp.legacy import QEMUMonitorProtocol

from .build_linux_vm import KERNEL_ARGS, build

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # QEMU outlives a crashed test run otherwise: it does not exit when its QMP peer goes.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def kvm_usable() -> bool:
    """/dev/kvm exists here but the CPU has no vmx/svm: KVM hangs guests. Use it only when real."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return os.access("/dev/kvm", os.R_OK | os.W_OK) and (" vmx" in flags or " svm" in flags)


class LinuxVM:
    """The busybox target (direct kernel boot, or `grub` from an ISO), or with `disk` a disk
    image that boots from its own MBR (the Debian target), written to a throwaway overlay."""

    def __init__(self, *, grub: bool = False, telnet: bool = False, append: str = "",
                 disk: Path | None = None) -> None:
        self.artifacts = build()
        self.folder = tempfile.mkdtemp(prefix="serial-target-")
        # Two monitors: a QMP socket serves one client, and the kernel under test needs its own.
        self.qmp_path = os.path.join(self.folder, "qmp.sock")
        fixture_qmp = os.path.join(self.folder, "fixture-qmp.sock")
        serial = "socket,id=ser0,host=127.0.0.1,port=0,server=on,wait=off,nodelay=on"
        if telnet:
            serial += ",telnet=on"
        memory = "512" if disk else "256"  # systemd and sshd want more than busybox
        command = ["qemu-system-x86_64", "-accel", "kvm" if kvm_usable() else "tcg", "-m", memory,
                   "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none", "-S",
                   "-chardev", serial, "-serial", "chardev:ser0",
                   "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
                   "-qmp", f"unix:{fixture_qmp},server=on,wait=off"]
        if disk:
            command += ["-drive", f"file={disk},format=raw,if=virtio", "-snapshot"]
        elif grub:
            command += ["-cdrom", str(self.artifacts.iso), "-boot", "d"]
        else:
            command += ["-kernel", str(self.artifacts.vmlinuz), "-initrd", str(self.artifacts.initrd),
                        "-append", f"{KERNEL_ARGS} {append}".strip()]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        self.qmp = QEMUMonitorProtocol(fixture_qmp)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.qmp.connect()
                break
            except (OSError, QMPError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"QEMU did not start: {self.process.stdout.read()}") from None
                time.sleep(0.05)
        scheme = "telnet" if telnet else "socket"
        self.port = self._chardev_port()
        self.console_url = f"{scheme}://127.0.0.1:{self.port}"

    def _chardev(self) -> str:
        for chardev in self.qmp.cmd("query-chardev"):
            if chardev["label"] == "ser0":
                return chardev["filename"]
        raise RuntimeError("no ser0 chardev")

    def _chardev_port(self) -> int:
        # "disconnected:tcp:127.0.0.1:PORT,server=on": QEMU chose the port, so there is no race.
        return int(self._chardev().split(":")[3].split(",")[0])

    def start_when_connected(self, timeout: float = 30) -> None:
        """`cont` once a console client is attached: a wait=off chardev drops unread output."""
        deadline = time.monotonic() + timeout
        while self._chardev().startswith("disconnected"):
            if time.monotonic() > deadline:
                raise RuntimeError("no console client connected to the VM")
            time.sleep(0.02)
        self.qmp.cmd("cont")

    def prompt_for_new_client(self, limit: float = 60) -> bytes:
        """What a new console client sees after pressing Enter, up to `login:` or a `#` prompt:
        how the last client left the console."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=limit) as client:
            client.sendall(b"\r")
            seen, deadline = b"", time.monotonic() + limit
            while b"login:" not in seen and not seen.rstrip().endswith(b"#"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no prompt after {limit} s: {seen[-300:]!r}")
                seen += client.recv(4096)
            return seen

    def stop(self) -> None:
        with contextlib.suppress(Exception):  # QEMU may already be gone
            self.qmp.cmd("quit")
        with contextlib.suppress(Exception):
            self.qmp.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for name in os.listdir(self.folder):
            os.unlink(os.path.join(self.folder, name))
        os.rmdir(self.folder)

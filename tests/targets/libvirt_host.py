"""A real libvirtd on this machine and the busybox test VM as its domain (a TCG `qemu` domain,
direct kernel boot, serial console on a pty).

Without systemd, the daemons are started here as our own processes and stopped by their PID; a
libvirtd that already answers is used as it is.  Two facts of this machine (measured in the
project's notes): /dev/kvm exists but does not work, and libvirtd probes it on every start (12 s,
then 45-57 s for the first domain), so libvirtd runs in a private mount namespace where /dev/kvm
is masked; there, QEMU's own mount namespace cannot be set up, so a private qemu.conf turns it
off.  Nothing is changed outside that namespace.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from .build_linux_vm import KERNEL_ARGS, build

URI = "qemu:///system"
QEMU_CONF = Path("/etc/libvirt/qemu.conf")

DOMAIN_XML = """\
<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{cmdline}</cmdline>
  </os>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
"""


DEBIAN_XML = """\
<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{overlay}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
  <!-- No relabelling: the cached image stays root's, read-only under a throwaway overlay. -->
  <seclabel type='none' model='dac'/>
</domain>
"""


def virsh(*args: str, check: bool = True) -> str:
    result = subprocess.run(["virsh", "-q", "-c", URI, *args], capture_output=True, text=True,
                            timeout=60)
    if check and result.returncode:
        raise RuntimeError(f"virsh {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def _answers() -> bool:
    return subprocess.run(["virsh", "-c", URI, "version"], capture_output=True,
                          timeout=30).returncode == 0


class LibvirtHost:
    """libvirtd and virtlogd, ours unless one already runs."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self.folder = tempfile.mkdtemp(prefix="serial-libvirt-")
        if _answers():
            return
        masked = Path(self.folder, "kvm-masked")
        masked.touch(mode=0)
        conf = Path(self.folder, "qemu.conf")
        conf.write_text(QEMU_CONF.read_text() + "\nnamespaces = [ ]\n")
        self._start(["virtlogd"])
        self._start(["unshare", "-m", "--propagation", "private", "sh", "-c",
                     f"mount --bind {masked} /dev/kvm && mount --bind {conf} {QEMU_CONF} "
                     "&& exec libvirtd"])
        deadline = time.monotonic() + 60
        while not _answers():
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.stop()
                raise RuntimeError("libvirtd did not start")
            time.sleep(0.2)

    def _start(self, command: list[str]) -> None:
        log = open(Path(self.folder, f"{command[0]}.log"), "wb")  # noqa: SIM115 - the process's
        self.processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL, start_new_session=True))

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _opened_by_libvirtd(path: str) -> bool:
    for pid in subprocess.run(["pidof", "libvirtd"], capture_output=True, text=True).stdout.split():
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                        return True
    return False


class Domain:
    """A persistent domain, defined for one test and removed after."""

    def __init__(self, host: LibvirtHost, xml: str, name: str) -> None:
        self.name = name
        path = Path(host.folder, f"{name}.xml")
        path.write_text(xml)
        virsh("define", str(path))
        self.target = f"libvirt:///system/{self.name}"

    def start_paused(self) -> None:
        virsh("start", "--paused", self.name)

    def resume(self) -> None:
        virsh("resume", self.name)

    def resume_when_attached(self, timeout: float = 120) -> None:
        """Resume once a console client holds the console (a runbook's %connect in another
        process): then not a byte of the boot is lost.  libvirt names no holder, but libvirtd
        has the domain's pty open exactly while a console stream is attached."""
        pty = re.search(r"<serial type='pty'>\s*<source path='([^']+)'", virsh("dumpxml", self.name))
        assert pty, "a started domain has its pty"
        deadline = time.monotonic() + timeout
        while not _opened_by_libvirtd(pty.group(1)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no console client attached to {self.name}")
            time.sleep(0.05)
        self.resume()

    def state(self) -> str:
        return virsh("domstate", self.name)

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            virsh("destroy", self.name)
        virsh("undefine", self.name, check=False)


def debian_domain(host: LibvirtHost, image: Path) -> Domain:
    """The real Debian 12 target from its cached disk image, under a qcow2 overlay."""
    name = f"serial-debian-{uuid.uuid4().hex[:8]}"
    os.chmod(host.folder, 0o755)
    overlay = Path(host.folder, f"{name}.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", str(image),
                    str(overlay)], check=True)
    shutil.chown(overlay, "libvirt-qemu", "libvirt-qemu")
    return Domain(host, DEBIAN_XML.format(name=name, overlay=overlay), name)


class BusyboxDomain(Domain):
    """The busybox VM as a domain.  Its kernel and initrd are copied where the `libvirt-qemu`
    user can read them."""

    def __init__(self, host: LibvirtHost) -> None:
        artifacts = build()
        name = f"serial-test-{uuid.uuid4().hex[:8]}"
        folder = Path(host.folder, name)
        folder.mkdir()
        for path in (host.folder, folder):
            os.chmod(path, 0o755)
        kernel, initrd = folder / "vmlinuz", folder / "initrd.cpio.gz"
        shutil.copyfile(artifacts.vmlinuz, kernel)
        shutil.copyfile(artifacts.initrd, initrd)
        super().__init__(host, DOMAIN_XML.format(name=name, kernel=kernel, initrd=initrd,
                                                 cmdline=KERNEL_ARGS), name)

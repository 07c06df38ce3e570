"""Build the real Debian 12 test target from Debian packages: systemd, bash, GRUB in the MBR with
its menu on the serial line, sshd, iptables, and a small /data file system.

mmdebstrap makes the root file system from the host's own apt sources; the disk is partitioned
on a loop device (as root), and the guest's own grub-install and update-grub put GRUB in the MBR
and write its menu, so the menu and the editor are Debian's.  Fault variants are copies
of the healthy disk with a few files changed (`VARIANTS`).  Everything is cached under
tests/targets/cache/debian-<hash of this recipe and the package versions>.

Run directly to build: python tests/targets/build_debian_vm.py [VARIANT...]
"""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).parent
CACHE = HERE / "cache"
HOSTNAME = "debian-target"
ROOT_PASSWORD = "debian-target-pw"  # distinctive: a masked secret hides every copy of itself
ROOT_UUID = "0b9e2f4c-5d1a-4c3e-9f27-6a1d3e5b7c01"
DATA_UUID = "7c3f1a2e-8b4d-4e6f-a1c2-3d4e5f6a7b8c"
MISSING_UUID = "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6"  # the disk fstab-bad-entry asks for
DISK_MB, DATA_MB = 2048, 64
PACKAGES = [
    "systemd-sysv", "udev", "linux-image-cloud-amd64", "grub-pc", "openssh-server", "iptables",
    "iptables-persistent", "e2fsprogs", "less", "procps", "kmod", "login", "passwd", "nano",
    "iproute2", "dbus",
]
# The host's apt sources and its view of stale Release files: mmdebstrap fetches what the
# host's apt would.
SOURCES = "/etc/apt/sources.list.d/debian.sources"
APT_OPTIONS = ['Acquire::Check-Valid-Until "false"']
GRUB_DEFAULTS = """\
GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX="console=ttyS0,115200"
GRUB_TERMINAL=serial
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
"""
FSTAB = f"""\
UUID={ROOT_UUID} / ext4 errors=remount-ro 0 1
UUID={DATA_UUID} /data ext4 defaults 0 2
"""


def run(*command: str, **kwargs: object) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def versions() -> str:
    """What the image will hold, as the host's apt sees it today (the cache key)."""
    wanted = ["linux-image-cloud-amd64", "systemd", "grub-pc", "openssh-server", "iptables"]
    return run("apt-cache", "policy", *wanted)


def recipe_hash() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(versions().encode())
    digest.update(run("dpkg-query", "-W", "grub-pc-bin", "mmdebstrap").encode())
    return digest.hexdigest()[:16]


def folder() -> Path:
    return CACHE / f"debian-{recipe_hash()}"


# -- fault variants: (description, what to change: the mounted root, the data partition) -------
def _drop_ssh(root: Path, data: str) -> None:
    (root / "etc/iptables/rules.v4").write_text(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A INPUT -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n")


def _sshd_disabled(root: Path, data: str) -> None:
    (root / "etc/systemd/system/multi-user.target.wants/ssh.service").unlink()
    (root / "etc/systemd/system/sshd.service").unlink(missing_ok=True)


def _fstab_bad_entry(root: Path, data: str) -> None:
    (root / "etc/fstab").write_text(FSTAB.replace(DATA_UUID, MISSING_UUID))


def _root_locked(root: Path, data: str) -> None:
    _fstab_bad_entry(root, data)
    shadow = root / "etc/shadow"
    lines = [("root:*:" + line.split(":", 2)[2]) if line.startswith("root:") else line
             for line in shadow.read_text().splitlines()]
    shadow.write_text("\n".join(lines) + "\n")


def _data_fs_errors(root: Path, data: str) -> None:
    """Two files claim the same block: e2fsck -p (the boot's check) refuses to repair that
    ("UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY"), fsck -y does."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as notes:
        notes.write("notes on the data disk\n")
        notes.flush()
        run("debugfs", "-w", "-R", f"write {notes.name} notes", data)
    block = run("debugfs", "-R", "bmap README 0", data).strip()
    # An extent inode's first extent starts its physical block at i_block[5].
    run("debugfs", "-w", "-R", f"set_inode_field notes block[5] {block}", data)
    run("debugfs", "-w", "-R", "ssv state 2", data)  # "contains a file system with errors"


VARIANTS: dict[str, tuple[str, Callable[[Path, str], None] | None]] = {
    "healthy": ("everything works", None),
    "iptables-drops-ssh": ("a saved iptables rule drops tcp/22", _drop_ssh),
    "sshd-disabled": ("ssh.service is disabled", _sshd_disabled),
    "fstab-bad-entry": ("fstab mounts a disk that is gone: emergency mode", _fstab_bad_entry),
    "root-locked": ("as fstab-bad-entry, and root has no password (a cloud image)", _root_locked),
    "fs-needs-fsck": ("the data file system has errors the boot's fsck -p will not repair",
                      _data_fs_errors),
}


def disk(variant: str = "healthy") -> Path:
    """The variant's disk image (raw), built first if needed.  Boot it with -snapshot."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: {', '.join(VARIANTS)}")
    out = folder()
    healthy = out / "healthy.raw"
    if not healthy.exists():
        _build_healthy(out, healthy)
    image = out / f"{variant}.raw"
    if not image.exists():
        partial = image.with_suffix(".partial")
        run("cp", "--sparse=always", str(healthy), str(partial))
        change = VARIANTS[variant][1]
        assert change is not None
        with _loop(partial) as (_, root_part, data_part), _mount(root_part) as root:
            change(root, data_part)
        partial.rename(image)
    return image


def _build_healthy(out: Path, image: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as temp:
        rootfs = Path(temp) / "rootfs.tar"
        hooks = [
            f'echo {HOSTNAME} > "$1/etc/hostname"',
            f'printf "127.0.0.1 localhost\\n127.0.1.1 {HOSTNAME}\\n" > "$1/etc/hosts"',
            f'echo "root:{ROOT_PASSWORD}" | chroot "$1" chpasswd',
            'mkdir -p "$1/data"',
        ]
        command = ["mmdebstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}",
                   *(f"--aptopt={option}" for option in APT_OPTIONS),
                   *(f"--customize-hook={hook}" for hook in hooks),
                   "bookworm", str(rootfs), SOURCES]
        run(*command)
        partial = image.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with open(partial, "wb") as handle:
            handle.truncate(DISK_MB << 20)
        layout = f"label: dos\n,{(DISK_MB - DATA_MB - 2) << 11},L,*\n,,L\n"
        run("sfdisk", "--quiet", str(partial), input=layout)
        with _loop(partial) as (device, root_part, data_part):
            run("mkfs.ext4", "-q", "-L", "root", "-U", ROOT_UUID, root_part)
            run("mkfs.ext4", "-q", "-L", "data", "-U", DATA_UUID, data_part)
            with _mount(root_part) as root:
                run("tar", "-xpf", str(rootfs), "--numeric-owner", "-C", str(root))
                (root / "etc/fstab").write_text(FSTAB)
                (root / "etc/default/grub").write_text(GRUB_DEFAULTS)
                _install_grub(root, device, root_part)
            with _mount(data_part) as data:
                (data / "README").write_text("the data disk of the Debian test target\n")
        partial.rename(image)


def _install_grub(root: Path, device: str, root_part: str) -> None:
    """The guest's own grub-install (into the MBR) and update-grub, so the menu is what a real
    install has.  update-grub writes root=UUID=… only when /dev/disk/by-uuid shows the root:
    there is no udev here to make the link."""
    by_uuid = Path("/dev/disk/by-uuid")
    link = by_uuid / ROOT_UUID
    by_uuid.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(root_part)
    binds = ["dev", "proc", "sys"]
    try:
        for name in binds:
            run("mount", "--rbind", f"/{name}", str(root / name))
        run("chroot", str(root), "grub-install", "--target=i386-pc", device)
        run("chroot", str(root), "update-grub")
    finally:
        for name in reversed(binds):
            subprocess.run(["umount", "-R", str(root / name)], check=False)
        link.unlink(missing_ok=True)


@contextlib.contextmanager
def _loop(image: Path) -> Iterator[tuple[str, str, str]]:
    device = run("losetup", "--find", "--show", "--partscan", str(image)).strip()
    try:
        # In a container the partition nodes may not appear by themselves.
        if not Path(device + "p1").exists():
            subprocess.run(["partx", "-a", device], check=False, capture_output=True)
        yield device, device + "p1", device + "p2"
    finally:
        subprocess.run(["partx", "-d", device], check=False, capture_output=True)
        run("losetup", "-d", device)


@contextlib.contextmanager
def _mount(device: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="debian-target-") as point:
        run("mount", device, point)
        try:
            yield Path(point)
        finally:
            run("umount", point)


if __name__ == "__main__":
    for name in sys.argv[1:] or ["healthy"]:
        print(disk(name))
    sys.exit(0)

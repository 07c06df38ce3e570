"""Build the real Linux test target from Debian packages only: Debian's cloud kernel, busybox,
and a BIOS GRUB ISO whose menu is on the serial line.

Cached under tests/targets/cache/<hash of the inputs>: a rebuild happens only when this recipe
or the Debian packages change.  The initramfs is reproducible (sorted GNU cpio, fixed owners and
times, gzip -n).  Run directly to build: python tests/targets/build_linux_vm.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
CACHE = HERE / "cache"
ROOT_PASSWORD = "serial-target-pw"  # distinctive: a masked secret hides every copy of itself
HOSTNAME = "serialtarget"
KERNEL_ARGS = "console=ttyS0,115200 panic=-1 sysrq_always_enabled quiet loglevel=4"
EPOCH = "1700000000"

INIT_FILES = {
    "etc/inittab": """\
::sysinit:/etc/init.d/rcS
ttyS0::respawn:/etc/console.sh
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
""",
    "etc/init.d/rcS": """\
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
hostname serialtarget
uptime=$(cut -d' ' -f1 /proc/uptime)
echo "SERIAL-TARGET BOOTED: kernel $(uname -r) uptime ${uptime}s cmdline: $(cat /proc/cmdline)"
""",
    "etc/console.sh": """\
#!/bin/sh
# What runs on ttyS0, chosen by the kernel command line.
case " $(cat /proc/cmdline) " in
  *" target.mode=recovery "*) echo "RECOVERY MODE"; exec /sbin/sulogin ;;
  *" target.autologin "*) exec /sbin/getty -n -l /etc/autologin.sh 115200 ttyS0 vt100 ;;
  *) exec /sbin/getty -L 115200 ttyS0 vt100 ;;
esac
""",
    "etc/autologin.sh": "#!/bin/sh\nexec /bin/login -f root\n",
    "etc/profile": "export PS1='\\u@\\h:\\w\\$ ' HOME=/root PATH=/sbin:/usr/sbin:/bin:/usr/bin\ncd\n",
    "etc/group": "root:x:0:\noperator:x:1000:\n",
    "etc/hostname": "serialtarget\n",
    "etc/shells": "/bin/sh\n",
}

GRUB_CFG = """\
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=30
menuentry 'Debian GNU/Linux (serial target)' {
    linux /boot/vmlinuz KERNEL_ARGS
    initrd /boot/initrd.cpio.gz
}
menuentry 'Debian GNU/Linux (recovery mode)' {
    linux /boot/vmlinuz KERNEL_ARGS target.mode=recovery
    initrd /boot/initrd.cpio.gz
}
menuentry 'Memory test (memtest86+, dummy)' {
    echo MEMTEST-DUMMY
    sleep 2
}
""".replace("KERNEL_ARGS", KERNEL_ARGS)


@dataclass
class Artifacts:
    vmlinuz: Path
    initrd: Path
    iso: Path


def run(*command: str, cwd: Path | None = None, **kwargs) -> str:
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True,
                          **kwargs).stdout


def kernel_package() -> str:
    """The image package the metapackage points at today (the mirror keeps only the newest)."""
    for line in run("apt-cache", "depends", "linux-image-cloud-amd64").splitlines():
        if line.strip().startswith("Depends: linux-image-"):
            return line.split(":", 1)[1].strip()
    raise RuntimeError("apt-cache cannot resolve linux-image-cloud-amd64: run apt-get update")


def recipe_hash(package: str) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(package.encode())
    digest.update(run("dpkg-query", "-W", "busybox-static", "grub-pc-bin").encode())
    return digest.hexdigest()[:16]


def build() -> Artifacts:
    package = kernel_package()
    out = CACHE / recipe_hash(package)
    artifacts = Artifacts(out / "vmlinuz", out / "initrd.cpio.gz", out / "grub-serial.iso")
    if artifacts.iso.exists():
        return artifacts
    with tempfile.TemporaryDirectory(dir=CACHE.parent if CACHE.exists() else None) as temp:
        work = Path(temp)
        _kernel(package, work, work / "vmlinuz")
        _initrd(work / "root", work / "initrd.cpio.gz")
        _iso(work, work / "grub-serial.iso")
        out.mkdir(parents=True, exist_ok=True)
        for artifact in (artifacts.vmlinuz, artifacts.initrd, artifacts.iso):
            shutil.move(work / artifact.name, artifact)
    return artifacts


def _kernel(package: str, work: Path, target: Path) -> None:
    run("apt-get", "download", package, cwd=work)
    deb = next(work.glob(f"{package}_*.deb"))
    run("dpkg-deb", "-x", str(deb), str(work / "kernel"))
    shutil.copyfile(next((work / "kernel" / "boot").glob("vmlinuz-*")), target)
    deb.unlink()
    shutil.rmtree(work / "kernel")


def _initrd(root: Path, target: Path) -> None:
    for folder in ("bin", "sbin", "usr/bin", "usr/sbin", "etc/init.d", "proc", "sys", "dev",
                   "root", "tmp", "var/run"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copyfile("/bin/busybox", root / "bin/busybox")
    (root / "bin/busybox").chmod(0o755)
    for applet in run("/bin/busybox", "--list-full").split():
        link = root / applet
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(os.path.relpath("/bin/busybox", "/" + str(Path(applet).parent)))
    (root / "init").symlink_to("bin/busybox")
    for name, text in INIT_FILES.items():
        path = root / name
        path.write_text(text)
        path.chmod(0o755 if text.startswith("#!") else 0o644)
    hashed = run("openssl", "passwd", "-6", "-salt", "serialtarget", ROOT_PASSWORD).strip()
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n"
                                     "operator:x:1000:1000:operator:/root:/bin/sh\n")
    (root / "etc/shadow").write_text(f"root:{hashed}:19000:0:99999:7:::\n"
                                     f"operator:{hashed}:19000:0:99999:7:::\n")
    (root / "etc/shadow").chmod(0o600)
    # Reproducible: sorted names, fixed owner and times, no name or time in the gzip header.
    run("find", ".", "-exec", "touch", "-h", "-d", f"@{EPOCH}", "{}", "+", cwd=root)
    names = run("find", ".", cwd=root).split("\n")
    listing = "\n".join(sorted(n for n in names if n)) + "\n"
    archive = subprocess.run(["cpio", "--quiet", "--reproducible", "-R", "0:0", "-o", "-H", "newc"],
                             cwd=root, input=listing.encode(), capture_output=True, check=True).stdout
    target.write_bytes(subprocess.run(["gzip", "-n", "-9"], input=archive, capture_output=True,
                                      check=True).stdout)


def _iso(work: Path, target: Path) -> None:
    tree = work / "iso"
    (tree / "boot" / "grub").mkdir(parents=True)
    (tree / "boot" / "grub" / "grub.cfg").write_text(GRUB_CFG)
    shutil.copyfile(work / "vmlinuz", tree / "boot" / "vmlinuz")
    shutil.copyfile(work / "initrd.cpio.gz", tree / "boot" / "initrd.cpio.gz")
    env = dict(os.environ, TMPDIR=str(work), SOURCE_DATE_EPOCH=EPOCH)
    run("grub-mkrescue", "-o", str(target), str(tree), env=env)


if __name__ == "__main__":
    built = build()
    print(built.vmlinuz, built.initrd, built.iso, sep="\n")
    sys.exit(0)

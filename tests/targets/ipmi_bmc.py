"""OpenIPMI's BMC simulator (`ipmi_sim`) as the BMC of the busybox test VM.

ipmi_sim serves IPMI 2.0 (RMCP+) on a UDP port of 127.0.0.1; "power on" runs a script that
starts QEMU with an IPMI KCS device wired back to ipmi_sim (so "power off" and "reset" reach the
guest) and the guest's serial port as a telnet server; SOL reads that port through
helpers/sol_relay.py (why: see there).  A fresh ipmi_sim per test module: a SOL session left
active with no client wedges its output for good.  ipmi_sim does not stop its QEMU when it
exits, so QEMU writes a pidfile and is stopped by it.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers.processes import stop_process

from .build_linux_vm import KERNEL_ARGS, build

HELPERS = Path(__file__).parent.parent / "helpers"
ADMIN, POWER_USER, PASSWORD = "admin", "operator", "bmc-secret-pw"

LAN_CONF = """\
name "serialtest"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 {lan_port}
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  serial 15 127.0.0.1 {vm_port} codec VM
  startcmd "{startcmd}"
  startnow false
  poweroff_wait 2
  kill_wait 2
  sol "telnet:127.0.0.1:{relay_port}" 115200
  user 2 true "{admin}" "{password}" admin 10 none md2 md5 straight
  user 3 true "{power_user}" "{password}" admin 10 none md2 md5 straight
"""
EMU = """\
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
"""


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ipmitool(bmc: IpmiSimBmc, *args: str) -> str:
    """ipmitool as an independent client (cipher suite 3: without it every call takes 10 s)."""
    result = subprocess.run(
        ["ipmitool", "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", str(bmc.lan_port),
         "-U", POWER_USER, "-P", PASSWORD, *args], capture_output=True, text=True, timeout=30)
    return (result.stdout + result.stderr).strip()


class IpmiSimBmc:
    def __init__(self) -> None:
        artifacts = build()
        self.folder = Path(tempfile.mkdtemp(prefix="serial-bmc-"))
        self.lan_port = free_port(socket.SOCK_DGRAM)
        vm_port, serial_port = free_port(), free_port()
        self.qemu_pidfile = self.folder / "qemu.pid"
        self.qmp_path = self.folder / "qmp.sock"
        qemu = ["qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-smp", "1", "-nodefaults",
                "-no-user-config", "-display", "none", "-pidfile", str(self.qemu_pidfile),
                "-kernel", str(artifacts.vmlinuz), "-initrd", str(artifacts.initrd),
                "-append", KERNEL_ARGS,
                "-chardev", f"socket,id=ipmi0,host=127.0.0.1,port={vm_port},reconnect=10",
                "-device", "ipmi-bmc-extern,id=bmc0,chardev=ipmi0",
                "-device", "isa-ipmi-kcs,bmc=bmc0",
                "-chardev", f"socket,id=ser0,host=127.0.0.1,port={serial_port},server=on,"
                            "wait=off,telnet=on,nodelay=on",
                "-serial", "chardev:ser0",
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        start = self.folder / "power-on.sh"
        start.write_text(f"#!/bin/sh\nexec {shlex.join(qemu)} >{self.folder}/qemu.log 2>&1\n")
        start.chmod(0o755)
        self.relay = subprocess.Popen([sys.executable, str(HELPERS / "sol_relay.py"), str(serial_port)],
                                      stdout=subprocess.PIPE, text=True, start_new_session=True)
        relay_port = int(self.relay.stdout.readline())
        conf = self.folder / "lan.conf"
        conf.write_text(LAN_CONF.format(lan_port=self.lan_port, vm_port=vm_port, startcmd=start,
                                        relay_port=relay_port, admin=ADMIN, power_user=POWER_USER,
                                        password=PASSWORD))
        (self.folder / "sim.emu").write_text(EMU)
        self.process = subprocess.Popen(
            ["ipmi_sim", "-n", "-p", "-c", str(conf), "-f", str(self.folder / "sim.emu"),
             "-s", str(self.folder / "state")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 20
        while "Chassis Power is" not in ipmitool(self, "chassis", "power", "status"):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("ipmi_sim did not answer")
            time.sleep(0.1)
        self.url = f"ipmi://{ADMIN}@127.0.0.1:{self.lan_port}"
        self.power_url = f"ipmi://{POWER_USER}@127.0.0.1:{self.lan_port}"

    def qemu_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            pid = int(self.qemu_pidfile.read_text())
            os.kill(pid, 0)
            return pid
        return None

    def stop(self) -> None:
        for process in (self.process, self.relay):
            stop_process(process)
        pid = self.qemu_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)

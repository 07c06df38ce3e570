"""libvirt:// against a real libvirtd and a real domain (the busybox VM under TCG): the console
through libvirt-python's stream, power through the domain API, and `virsh` as an independent
client checking what the kernel did."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from helpers.jupyter import execute
from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.target import Target
from targets.build_debian_vm import ROOT_PASSWORD as DEBIAN_PASSWORD
from targets.build_debian_vm import disk
from targets.build_linux_vm import ROOT_PASSWORD
from targets.libvirt_host import BusyboxDomain, LibvirtHost, debian_domain

os.environ["TARGET_ROOT_PASSWORD"] = ROOT_PASSWORD
PROMPT = "root@serialtarget:~#"
NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
COMMAND = str(Path(sys.executable).parent / "serial-console")


@pytest.fixture(scope="module")
def domain():
    host = LibvirtHost()
    machine = BusyboxDomain(host)
    try:
        yield machine
    finally:
        machine.remove()
        host.stop()


@pytest.fixture(scope="module")
def logged_in(kc_module, domain):
    domain.start_paused()  # every byte of the boot reaches the console
    result = execute(kc_module, f"%connect {domain.target}")
    assert result.status == "ok", result.error
    domain.resume()
    assert "serialtarget login:" in execute(kc_module, "%wait login: --timeout 60").text
    result = execute(kc_module, "root\n%password TARGET_ROOT_PASSWORD")
    assert result.text.rstrip().endswith(PROMPT), result.text
    return kc_module


def test_the_console_carries_a_login_and_a_command_and_power_is_the_domains(logged_in, domain):
    result = execute(logged_in, "uname -s; echo $((6*7))")
    assert result.text.splitlines()[-3:] == ["Linux", "42", PROMPT]
    assert ROOT_PASSWORD not in result.text
    status = execute(logged_in, "%status").stdout
    assert status.startswith(f"connected to {domain.target}\n")
    # What the panel offers: all but BREAK, which libvirt has no way to send.
    assert status.splitlines()[1] == ("power via libvirt; can: nmi, reset, restart, power off, "
                                      "power on, power cycle, sysrq")
    assert execute(logged_in, "%power status").stdout == "power status via libvirt: running\n"


def test_nmi_through_the_domain_api_shows_the_kernels_message(logged_in):
    result = execute(logged_in, "%nmi")
    assert result.stdout == "NMI sent via libvirt\n"
    assert re.search(r"Uhhuh\. NMI received for unknown reason \w+ on CPU 0\.",
                     result.text.replace("\n", ""))


def test_sysrq_goes_by_sendkey_and_break_is_refused_with_the_reason(logged_in):
    result = execute(logged_in, "%sysrq h")
    assert result.status == "ok", result.error
    assert "show-task-states(t)" in result.text.replace("\n", "")
    result = execute(logged_in, "%break")
    assert result.status == "error"
    assert "libvirt has no way to send a serial BREAK" in result.error


def test_reset_keeps_the_console_through_the_reboot(logged_in):
    assert execute(logged_in, "%reset").stdout == "hard reset sent via libvirt\n"
    result = execute(logged_in, "%wait login: --timeout 60")
    assert "SERIAL-TARGET BOOTED" in result.text and "serialtarget login:" in result.text
    assert execute(logged_in, "root\n%password TARGET_ROOT_PASSWORD").text.rstrip().endswith(PROMPT)


def test_power_off_and_on_follow_the_domain_and_the_boot_is_seen_whole(logged_in, domain):
    assert execute(logged_in, "%power off").stdout == "power off sent via libvirt\n"
    assert domain.state() == "shut off"  # virsh, another client, agrees
    assert execute(logged_in, "%power status").stdout == "power status via libvirt: off\n"
    result = execute(logged_in, "echo typed-while-off")
    assert result.status == "error" and "powered off" in result.error
    assert execute(logged_in, "%power on").status == "ok"
    assert domain.state() == "running"
    result = execute(logged_in, "%wait login: --timeout 60")
    # Started paused and attached before it ran: the boot's own first line is there.
    assert "SERIAL-TARGET BOOTED" in result.text, result.text
    assert execute(logged_in, "root\n%password TARGET_ROOT_PASSWORD").text.rstrip().endswith(PROMPT)


def test_a_second_client_is_refused_then_takes_over_and_the_first_is_told(logged_in, domain):
    async def second_client() -> str:
        other = Target()
        with pytest.raises(ConsoleError, match="another client holds the console"):
            await other.connect(domain.target)
        await other.connect(domain.target, take_over=True, logout="off")
        screen = await other.type_line("echo from-the-other-client")
        await other.close()
        return screen

    asyncio.run(second_client())
    result = execute(logged_in, "echo still-here")
    assert result.status == "error"
    assert "another client took over the console" in result.error
    status = execute(logged_in, "%status").stdout
    assert "another client took over" in status
    result = execute(logged_in, "%connect --take-over")
    assert result.status == "ok", result.error
    result = execute(logged_in, "echo back")
    assert result.text.splitlines()[-2:] == ["back", PROMPT], (result.status, result.error, result.text)


def test_a_domain_that_is_not_there_is_named_with_those_that_are(domain):
    async def connect() -> str:
        with pytest.raises(ConsoleError) as error:
            await Target().connect("libvirt:///system/no-such-domain")
        return str(error.value)

    message = asyncio.run(connect())
    assert message.startswith("no domain 'no-such-domain' at qemu:///system; its domains: ")
    assert domain.name in message


def test_the_iptables_runbook_fixes_a_real_debian_domain_through_libvirt(tmp_path):
    """A runbook, unchanged, on the real Debian 12 (systemd, bash, iptables) as a libvirt
    domain: console, sign-in and the fix all go through libvirt://, as a user would run it."""
    host = LibvirtHost()
    debian = debian_domain(host, disk("iptables-drops-ssh"))
    try:
        debian.start_paused()
        resumer = threading.Thread(target=debian.resume_when_attached, daemon=True)
        resumer.start()
        out = tmp_path / "out.ipynb"
        result = subprocess.run(
            [COMMAND, "run", str(NOTEBOOKS / "linux-iptables-lockout.ipynb"), "-o", str(out),
             "--target", debian.target], capture_output=True, text=True, timeout=600,
            env=dict(os.environ, ROOT_PASSWORD=DEBIAN_PASSWORD))
        resumer.join(timeout=10)
    finally:
        debian.remove()
        host.stop()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    shown = out.read_text()
    assert f"connected to {debian.target}" in shown and DEBIAN_PASSWORD not in shown
    assert "0.0.0.0:22" in shown  # sshd listens, and nothing drops it any more

"""The kernel against a real Linux VM under QEMU: Debian's kernel and busybox, serial over TCP,
NMI, reset and SysRq over QMP or the line, and a real GRUB menu over serial."""

from __future__ import annotations

import os
import re

import pytest

from helpers.jupyter import execute
from targets.build_linux_vm import ROOT_PASSWORD
from targets.qemu_vm import LinuxVM

os.environ["TARGET_ROOT_PASSWORD"] = ROOT_PASSWORD
DMESG_LINE = re.compile(r"^\[\s*\d+\.\d+\]")


def connect(kc, vm: LinuxVM, power: bool = True) -> None:
    power_option = f" --power qmp:{vm.qmp_path}" if power else " --power none"
    assert execute(kc, f"%connect {vm.console_url}{power_option}").status == "ok"
    vm.start_when_connected()


@pytest.fixture(scope="module")
def vm():
    machine = LinuxVM()
    yield machine
    machine.stop()


@pytest.fixture(scope="module")
def logged_in(kc_module, vm):
    connect(kc_module, vm)
    assert "serialtarget login:" in execute(kc_module, "%wait login: --timeout 60").text
    result = execute(kc_module, "root\n%password TARGET_ROOT_PASSWORD")
    assert result.text.rstrip().endswith("root@serialtarget:~#"), result.text
    return kc_module


def test_login_never_shows_the_password_and_long_output_arrives_whole(logged_in):
    count = execute(logged_in, "dmesg | wc -l").text.splitlines()[-2].strip()
    result = execute(logged_in, "dmesg")
    lines = [line for line in result.text.splitlines() if DMESG_LINE.match(line)]
    assert len(lines) == int(count)
    assert ROOT_PASSWORD not in result.text


def test_nmi_over_qmp_shows_the_kernels_message_in_the_same_cell(logged_in):
    result = execute(logged_in, "%nmi")
    assert result.stdout == "NMI sent via qmp\n"
    unwrapped = result.text.replace("\n", "")  # the message starts behind the prompt and wraps
    assert re.search(r"Uhhuh\. NMI received for unknown reason \w+ on CPU 0\.", unwrapped)


def test_sysrq_over_qmp_shows_the_help_line_in_the_same_cell(logged_in):
    result = execute(logged_in, "%sysrq h")
    assert result.status == "ok", result.error + "\n" + result.text
    assert "show-task-states(t)" in result.text.replace("\n", "")


def test_reset_brings_the_banner_and_login_back(logged_in):
    assert execute(logged_in, "%reset").stdout == "hard reset sent via qmp\n"
    result = execute(logged_in, "%wait login: --timeout 60")
    assert "SERIAL-TARGET BOOTED" in result.text
    assert execute(logged_in, "%status").stdout.startswith("connected to socket://")


def test_power_off_then_on_boots_from_scratch(logged_in):
    # QMP's `stop` then `cont` would resume the old machine; power on must boot a new one.
    assert execute(logged_in, "%power off").stdout == "power off sent via qmp\n"
    assert execute(logged_in, "%power status").stdout == "power status via qmp: off\n"
    assert execute(logged_in, "%power on").status == "ok"
    result = execute(logged_in, "%wait login: --timeout 60")
    assert "SERIAL-TARGET BOOTED" in result.text, result.text
    assert execute(logged_in, "%power status").stdout == "power status via qmp: running\n"


def test_sysrq_over_a_telnet_line_break(kc_module):
    machine = LinuxVM(telnet=True, append="target.autologin")
    try:
        connect(kc_module, machine, power=False)
        execute(kc_module, "%wait /root@serialtarget:~# / --timeout 60")
        result = execute(kc_module, "%sysrq h\n%wait sysrq: HELP --timeout 10")
        assert result.status == "ok", result.error
        assert result.stdout == "SysRq h sent via line\n"
    finally:
        machine.stop()


@pytest.fixture(scope="module")
def grub_vm(kc_module):
    machine = LinuxVM(grub=True)
    connect(kc_module, machine)
    # As a user would: see the machine up before restarting it.  A system_reset within a few
    # milliseconds of `cont` leaves SeaBIOS silent for good under TCG (measured: 0 ms fails, 20 ms works).
    assert execute(kc_module, "%wait GNU GRUB --timeout 60").status == "ok"
    yield machine
    machine.stop()


def test_boot_menu_selects_recovery_over_a_real_grub(kc_module, grub_vm):
    result = execute(kc_module, "%boot-menu --select recovery --timeout 60", timeout=120)
    assert result.status == "ok", result.error
    assert "selected the entry with 'recovery'" in result.stdout
    execute(kc_module, "%wait Give root password for system maintenance --timeout 60")
    shell = execute(kc_module, "%password TARGET_ROOT_PASSWORD\ncat /proc/cmdline")
    assert "target.mode=recovery" in shell.text


def test_grub_by_hand_with_keys(kc_module, grub_vm):
    execute(kc_module, "%reset\n%wait GNU GRUB --timeout 60")
    execute(kc_module, "%key Down")
    result = execute(kc_module, "%key Down\n%key Enter\n%wait MEMTEST-DUMMY --timeout 30")
    assert result.status == "ok", result.error


def test_grub_edit_an_entry_and_boot_it(kc_module, grub_vm):
    execute(kc_module, "%reset\n%wait GNU GRUB --timeout 60")
    screen = execute(kc_module, "%key e")
    cursor_row = screen.displays[-1]["metadata"]["serial_console"]["cursor"]["row"]
    rows = screen.text.splitlines()[-25:] if len(screen.text.splitlines()) > 25 else screen.text.splitlines()
    linux_row = next(i for i, row in enumerate(rows) if "linux /boot/vmlinuz" in row)
    execute(kc_module, "%key " + " ".join(["Down"] * (linux_row - cursor_row)) + " Ctrl-E")
    execute(kc_module, "%send \\ target.autologin")
    execute(kc_module, "%key Ctrl-X")
    execute(kc_module, "%wait /root@serialtarget:~# / --timeout 60")
    assert "target.autologin" in execute(kc_module, "cat /proc/cmdline").text

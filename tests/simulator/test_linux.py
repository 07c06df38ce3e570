"""The Linux VM: GRUB over serial, login, scenarios and their fixes, SysRq and NMI."""

from __future__ import annotations

import pytest

from serial_console_kernel.simulator.linux.state import SCENARIOS

from .conftest import login_linux


def test_grub_menu_then_boot_log_then_login(linux):
    screen = linux.wait("GNU GRUB  version 2.06")
    assert "*Debian GNU/Linux" in screen and "Advanced options for Debian GNU/Linux" in screen
    screen = login_linux(linux)
    assert screen.rstrip().endswith("root@debian-target:~#")
    assert "Sim-P@ssw0rd!" not in screen


def test_grub_edit_boots_a_root_shell(linux):
    linux.wait("GNU GRUB")
    linux.keys("e")
    linux.keys(*["Down"] * 9, "Ctrl-E")  # the linux line of Debian's entry
    linux.run(linux.console.send(" init=/bin/bash"))
    linux.keys("Ctrl-X")
    linux.wait("root@(none):/#")
    assert "init=/bin/bash" in linux.type("cat /proc/cmdline")


def test_recovery_entry_asks_for_the_root_password(linux):
    linux.wait("GNU GRUB")
    linux.keys("Down")
    assert "(recovery mode)" in linux.keys("Enter")  # the "Advanced options" submenu
    linux.keys("Down")
    linux.keys("Enter")
    screen = linux.wait("Give root password for maintenance")
    assert "You are in rescue mode." in screen


def test_sysrq_after_break_and_nmi(linux):
    login_linux(linux)
    linux.simulation.control("break")
    # The kernel's lines land after the prompt, as on the real console, and wrap at 80.
    screen = linux.keys("h").replace("\n", "")
    assert "sysrq: HELP : loglevel(0-9) reboot(b) crash(c)" in screen
    linux.simulation.control("nmi")
    screen = linux.wait("Dazed and confused, but trying to continue").replace("\n", "")
    assert "Uhhuh. NMI received for unknown reason 3c on CPU 0." in screen
    linux.simulation.control("sysrq", "b")
    linux.wait("sysrq: Resetting")
    linux.wait("GNU GRUB")


@pytest.mark.parametrize("linux", ["iptables-drops-ssh"], indirect=True)
def test_iptables_fix_must_be_saved_to_survive_a_reboot(linux):
    login_linux(linux)
    assert "DROP       6    --  0.0.0.0/0" in linux.type("iptables -L INPUT -n --line-numbers")
    linux.type("iptables -D INPUT 1")
    assert linux.health()["healthy"] is True
    linux.type("iptables-save > /etc/iptables/rules.v4", "reboot")
    login_linux(linux)
    assert linux.health()["healthy"] is True


@pytest.mark.parametrize("linux", ["sshd-disabled"], indirect=True)
def test_sshd_enable_and_start(linux):
    login_linux(linux)
    assert "inactive (dead)" in linux.type("systemctl status sshd --no-pager")
    linux.type("systemctl enable ssh", "systemctl start ssh")
    assert "0.0.0.0:22" in linux.type("ss -tlnp")
    assert linux.health()["healthy"] is True


@pytest.mark.parametrize("linux", ["fstab-bad-entry"], indirect=True)
def test_fstab_nofail_from_emergency_mode(linux):
    screen = linux.wait("Give root password for maintenance", timeout=15)
    assert "[DEPEND] Dependency failed for data.mount - /data." in screen
    linux.type("Sim-P@ssw0rd!")
    assert "mount: /data: can't find" in linux.type("mount -a")
    linux.type("sed -i '/\\/data/ s/defaults/defaults,nofail/' /etc/fstab")
    assert "defaults,nofail" in linux.type("cat /etc/fstab")
    # As on the real one: systemd still has the fstab it read at boot.
    linux.type("systemctl default")
    linux.wait("Give root password for maintenance")
    linux.type("Sim-P@ssw0rd!", "systemctl daemon-reload", "systemctl default")
    linux.wait("login:")
    assert linux.health()["healthy"] is True


@pytest.mark.parametrize("linux", ["root-locked"], indirect=True)
def test_a_locked_root_gets_no_emergency_shell(linux):
    assert "the root account is locked" in linux.wait("Press Enter to continue.", timeout=15)
    linux.keys("Enter")
    assert "You are in emergency mode" in linux.wait("Press Enter to continue.")


@pytest.mark.parametrize("linux", ["fs-needs-fsck"], indirect=True)
def test_fsck_repairs_the_data_disk(linux):
    linux.wait("Give root password for maintenance", timeout=15)
    linux.type("Sim-P@ssw0rd!")
    assert "***** FILE SYSTEM WAS MODIFIED *****" in linux.type("fsck -y /dev/vda2")
    linux.type("reboot")
    login_linux(linux)
    assert linux.health()["healthy"] is True


def test_every_linux_scenario_is_covered():
    assert set(SCENARIOS) == {"healthy", "iptables-drops-ssh", "sshd-disabled", "fstab-bad-entry",
                              "root-locked", "fs-needs-fsck"}

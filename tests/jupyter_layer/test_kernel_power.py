"""Power magics and %boot-menu through a real kernel, on the built-in simulator."""

from __future__ import annotations

from helpers.jupyter import execute


def test_nmi_on_a_hung_windows_vm_shows_the_bugcheck(kc):
    execute(kc, "%connect sim:windows?scenario=hung")
    result = execute(kc, "%nmi")
    assert result.status == "ok", result.error
    assert result.stdout == "NMI sent via sim\n"
    assert '<VALUE>"0x80"</VALUE>' in result.text and "!SAC>" in result.text


def test_sysrq_on_windows_is_refused_as_on_azure(kc):
    execute(kc, "%connect sim:windows")
    result = execute(kc, "%sysrq c")
    assert result.status == "error"
    assert result.error == "You can only send a SysRq to a Linux VM."


def test_boot_menu_selects_the_grub_recovery_entry(kc):
    # Debian keeps it in the "Advanced options" submenu, as the real one does.
    execute(kc, "%connect sim:linux")
    result = execute(kc, "%boot-menu --select Advanced options")
    assert result.status == "ok", result.error
    assert "selected the entry with 'Advanced options'" in result.stdout
    result = execute(kc, "%key Down --until recovery mode\n%key Enter\n"
                         "%wait Give root password for maintenance")
    assert result.status == "ok", result.error
    assert "single" in execute(kc, "Sim-P@ssw0rd!\ncat /proc/cmdline").text


def test_boot_menu_catches_windows_advanced_options_with_f8(kc):
    execute(kc, "%connect sim:windows?scenario=healthy")
    result = execute(kc, "%boot-menu --select Safe Mode with Networking")
    assert result.status == "ok", result.error
    # The boot that the chosen entry starts answers the Enter that chose it.
    assert "Computer is booting" in result.text
    assert execute(kc, "%wait SAC>").status == "ok"


def test_wait_finds_what_an_earlier_cell_already_showed(kc):
    # As a new user writes it: %connect showed SAC>, and %wait SAC> must not sit out its timeout.
    assert "SAC>" in execute(kc, "%connect sim:windows?scenario=healthy").text
    assert execute(kc, "%wait SAC> --timeout 2").status == "ok"
    result = execute(kc, "%wait SAC> --new --timeout 1")
    assert result.status == "error" and "timed out" in result.error


def test_power_status_and_unsupported_actions(kc):
    execute(kc, "%connect loop://")
    result = execute(kc, "%nmi")
    assert result.status == "error" and "no power backend" in result.error
    execute(kc, "%power-backend cmd:status=echo running")
    assert execute(kc, "%power status").stdout == "power status via cmd: running\n"
    failed = execute(kc, "%reset")
    assert "cannot reset; it supports: status" in failed.error

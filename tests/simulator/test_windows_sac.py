"""SAC as documented: banner, help, channels, login, errors, crash."""

from __future__ import annotations

import pytest

from serial_console_kernel.errors import UnsupportedAction
from serial_console_kernel.simulator.windows.sac import SAC_HELP

from .conftest import open_cmd


def test_boot_shows_the_banner_then_the_cmd_event(windows):
    screen = windows.wait("EVENT: The CMD command is now available.")
    assert "Computer is booting, SAC started and initialized." in screen
    assert 'Use the "ch -?" command for information about using channels.' in screen
    assert screen.rstrip().endswith("SAC>")


def test_help_lists_the_documented_commands(windows):
    windows.wait("SAC>")
    screen = windows.type("?")
    for line in SAC_HELP:
        assert line in screen


def test_unknown_command_and_arrow_keys_echo_like_the_real_sac(windows):
    windows.wait("SAC>")
    assert "Unrecognized command.  Try the 'help' command for more details." in windows.type("frob")
    windows.keys("Up")
    screen = windows.keys("Enter")
    assert "SAC>[A" in screen


@pytest.mark.sim_delays
def test_cmd_before_the_service_registers_is_refused(windows):
    windows.wait("SAC>")
    screen = windows.type("cmd")
    if "EVENT: The CMD command is now available." not in screen:
        assert "Error: Unable to launch a Command Prompt." in screen


def test_channels_list_switch_and_login(windows):
    windows.wait("EVENT: The CMD command is now available.")
    screen = windows.type("cmd")
    assert "The Command Prompt session was successfully launched." in screen
    assert "Channel: Cmd0001" in screen
    assert 'EVENT:   A new channel has been created.  Use "ch -?" for channel help.' in screen
    listing = windows.type("ch")
    assert "1 (AV)    Cmd0001" in listing and "0 (AV)    SAC" in listing
    info = windows.type("ch -si 1")
    assert "Name:                  Cmd0001" in info
    assert "Application Type GUID: 63d02271-8aa4-11d5-bccf-00b0d014a2d0" in info
    assert "Use any other key to view this channel." in info
    windows.keys("Enter")
    screen = windows.type("Administrator", "", "wrong-password")
    assert "The user name or password is incorrect." in screen
    assert "wrong-password" not in screen
    screen = windows.type("Administrator", "", "Sim-P@ssw0rd!")
    assert "Password: *************" in screen
    assert screen.rstrip().endswith("C:\\Windows\\system32>")


def test_esc_tab_0_returns_to_sac_and_errors_are_documented(windows):
    open_cmd(windows)
    windows.keys("Esc", "Tab")
    screen = windows.keys("0")
    assert screen.rstrip().endswith("SAC>")
    assert "Error: There is no channel present at the specified index." in windows.type("ch -si 7")
    assert "Error: The SAC channel cannot be closed." in windows.type("ch -ci 0")
    screen = windows.type("ch -cn Cmd0001")
    assert "EVENT:   A channel has been closed." in screen


def test_the_tenth_channel_is_refused(windows):
    windows.wait("EVENT: The CMD command is now available.")
    for _ in range(9):
        windows.type("cmd")
    assert "The maximum number of channels has been reached." in windows.type("cmd")


def test_id_and_ip(windows):
    windows.wait("SAC>")
    assert "Computer Name: WINSRV-SIM01" in windows.type("id")
    assert "Net: 0, Ip=10.0.0.4  Subnet=255.255.255.0  Gateway=10.0.0.1" in windows.type("i")


def test_long_lines_and_binary_bytes_do_not_break_sac(windows):
    windows.wait("SAC>")
    windows.run(windows.console.send("x" * 3000 + "\r"))
    windows.run(windows.console.send("\x00\xff\x01garbage\r"))
    assert "Computer Name" in windows.type("id")


@pytest.mark.sim_delays
def test_nmi_bugchecks_to_bang_sac_with_a_dump_and_reboots(windows):
    windows.wait("SAC>")
    windows.simulation.control("nmi")
    screen = windows.wait("!SAC>")
    assert '<PROPERTY NAME="STOPCODE" TYPE="string"><VALUE>"0x80"</VALUE>' in screen
    assert "<BP>" in screen
    assert windows.simulation.control("status") == "crashed"
    windows.wait("Computer is booting, SAC started and initialized.", timeout=10)
    assert windows.simulation.control("status") == "running"


def test_sysrq_is_refused_like_azure(windows):
    with pytest.raises(UnsupportedAction, match="You can only send a SysRq to a Linux VM."):
        windows.simulation.control("sysrq", "h")


@pytest.mark.sim_delays
def test_boot_menu_and_f8_advanced_options(windows):
    open_cmd(windows)
    windows.type("bcdedit /set {bootmgr} displaybootmenu yes", "shutdown /r /t 0")
    screen = windows.wait("Windows Boot Manager")
    screen = windows.wait("Seconds until the highlighted choice will be started automatically")
    assert "Windows Server [EMS Enabled]" in screen
    screen = windows.keys("F8")
    assert "Advanced Boot Options" in screen and "Safe Mode with Networking" in screen
    windows.keys("Up")
    windows.keys("Up")
    windows.keys("Enter")
    windows.wait("Computer is booting")
    assert windows.health()["checks"]["normal_boot"] is True


def test_a_line_typed_right_after_exit_loses_its_first_key(windows):
    # Microsoft: "type exit, and then press Enter two times"; without the Enter, the first key
    # only leaves SAC's channel screen (tests/fidelity/windows/exit-cmd-channel.txt).
    open_cmd(windows)
    assert "Use any other key to view this channel." in windows.type("exit")
    screen = windows.type("restart")
    assert "SAC>estart" in screen
    assert "Unrecognized command.  Try the 'help' command for more details." in screen
    assert windows.health()["checks"]["responsive"] is True

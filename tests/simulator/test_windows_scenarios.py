"""Every Windows scenario: the fault shows in the documented commands, the documented fix repairs
it, and the health check ("RDP reachable on 3389") follows the state."""

from __future__ import annotations

import asyncio

import pytest

from helpers.sac import CMD_READY, sign_in_to_sac
from serial_console_kernel.engine.patterns import compile_pattern, escape
from serial_console_kernel.simulator.windows.state import SCENARIOS
from serial_console_kernel.target import Target

from .conftest import open_cmd

RULE = 'name="Remote Desktop - User Mode (TCP-In)"'
TS = '"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server"'
RDP_TCP = '"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp"'

# scenario: (a command that shows the fault, what it shows, the fix, what shows it fixed)
REPAIRS = {
    "firewall-blocks-rdp": (f"netsh advfirewall firewall show rule {RULE}",
                            "Enabled:                              No",
                            [f"netsh advfirewall firewall set rule {RULE} new enable=yes"],
                            "Updated 1 rule(s)."),
    "firewall-all-profiles-block": ("netsh advfirewall show allprofiles", "BlockInboundAlways,AllowOutbound",
                                    ["netsh advfirewall set allprofiles firewallpolicy "
                                     "blockinbound,allowoutbound"], "Ok."),
    "rdp-disabled": (f"reg query {TS} /v fDenyTSConnections", "fDenyTSConnections    REG_DWORD    0x1",
                     [f"reg add {TS} /v fDenyTSConnections /t REG_DWORD /d 0 /f"],
                     "The operation completed successfully."),
    "termservice-stopped": ("sc query TermService", "1  STOPPED",
                            ["sc config TermService start= demand", "sc start TermService"],
                            "2  START_PENDING"),
    "rdp-port-changed": (f"reg query {RDP_TCP} /v PortNumber", "PortNumber    REG_DWORD    0xd3e",
                         [f"reg add {RDP_TCP} /v PortNumber /t REG_DWORD /d 3389 /f"],
                         "The operation completed successfully."),
    "nic-disabled": ("netsh interface show interface", "Disabled       Disconnected",
                     ['netsh interface set interface name="Ethernet" admin=enabled'], "C:\\Windows"),
}


@pytest.mark.parametrize("windows", list(REPAIRS), indirect=True)
def test_fault_then_fix(windows):
    show, fault, fix, fixed = REPAIRS[windows.simulation.scenario]
    open_cmd(windows)
    assert windows.health()["healthy"] is False
    assert fault in windows.type(show)
    screen = windows.type(*fix)
    assert fixed in screen
    assert windows.health() == {"healthy": True, "checks": windows.health()["checks"]}
    newest = windows.type(show).rsplit(show[:20], 1)[-1]  # this run's output only
    assert fault not in newest


@pytest.mark.parametrize("windows", ["disk-dirty"], indirect=True)
@pytest.mark.sim_delays
def test_dirty_disk_is_checked_at_the_next_restart(windows):
    open_cmd(windows)
    assert "Volume - C: is Dirty" in windows.type("fsutil dirty query c:")
    screen = windows.type("chkdsk c: /f")
    assert "checked the next time the system restarts? (Y/N)" in screen
    assert "This volume will be checked the next time the system restarts." in windows.type("Y")
    assert windows.health()["healthy"] is False
    assert "Use any other key to view this channel." in windows.type("exit")
    windows.keys("Enter")  # leaves SAC's switching screen: "press Enter two times"
    windows.type("restart")
    assert "Windows has scanned the file system and found no problems." in windows.wait(
        "Windows has scanned the file system")
    windows.wait("EVENT: The CMD command is now available.")
    assert windows.health()["healthy"] is True
    open_cmd(windows)
    assert "Volume - C: is NOT Dirty" in windows.type("fsutil dirty query c:")


@pytest.mark.parametrize("windows", ["stuck-in-safe-mode"], indirect=True)
def test_safe_mode_is_left_with_bcdedit(windows):
    open_cmd(windows)
    assert "safeboot                Minimal" in windows.type("bcdedit /enum")
    assert "1  STOPPED" in windows.type("sc query TermService")
    assert "The operation completed successfully." in windows.type("bcdedit /deletevalue {current} safeboot")
    windows.type("shutdown /r /t 0")
    windows.wait("EVENT: The CMD command is now available.")
    assert windows.health()["healthy"] is True


@pytest.mark.parametrize("windows", ["hung"], indirect=True)
@pytest.mark.sim_delays
def test_a_hung_vm_answers_only_an_nmi(windows):
    windows.wait("SAC>")
    assert "Computer Name" not in windows.type("id")
    windows.simulation.control("nmi")
    assert '<VALUE>"0x80"</VALUE>' in windows.wait("!SAC>")
    windows.wait("EVENT: The CMD command is now available.", timeout=15)
    assert windows.health()["healthy"] is True
    open_cmd(windows)
    assert "MEMORY.DMP" in windows.type("dir C:\\Windows\\MEMORY.DMP")


def test_every_scenario_is_covered():
    covered = set(REPAIRS) | {"disk-dirty", "stuck-in-safe-mode", "hung", "healthy",
                              "bad-driver-boot-loop"}
    assert covered == set(SCENARIOS)


@pytest.mark.parametrize("windows", ["healthy"], indirect=True)
def test_cmd_commands_and_powershell(windows):
    open_cmd(windows)
    assert "'frob' is not recognized as an internal or external command," in windows.type("frob")
    assert "IPv4 Address. . . . . . . . . . . : 10.0.0.4" in windows.type("ipconfig /all")
    screen = windows.type("netstat -ano | find \"3389\"")
    assert "0.0.0.0:3389" in screen and "LISTENING" in screen
    assert "Account active               Yes" in windows.type("net user azureuser")
    assert "azureuser" in windows.type("net localgroup administrators")
    assert "PS C:\\Windows\\system32>" in windows.type("powershell")
    screen = windows.type("Get-Service TermService")
    assert "Running  TermService        Remote Desktop Services" in screen
    windows.type("Set-NetFirewallProfile -Profile Domain,Public,Private -Enabled False")
    assert "Enabled                         : False" in windows.type("Get-NetFirewallProfile")
    assert windows.type("exit").rstrip().endswith("C:\\Windows\\system32>")
    assert "State                                 OFF" in windows.type("netsh advfirewall show allprofiles")


def test_a_bad_driver_loops_normal_boots_and_safe_mode_gets_past_it():
    async def main() -> list[str]:
        target = Target()
        target.settings.quiet_ms, target.settings.timeout = 100, 10
        shown = []
        try:
            await target.connect("sim:windows?scenario=bad-driver-boot-loop&speed=instant")
            simulation = target.require_console().session.transport.simulation
            for _ in range(2):  # it stops again after each automatic restart
                await target.wait(compile_pattern(escape('<VALUE>"0x50"</VALUE>')), new=True)
                target.snapshot()
            shown.append(str(simulation.runtime.call(lambda: simulation.machine.state.boots)))
            await target.boot_menu(select="Safe Mode")
            await sign_in_to_sac(target)
            assert simulation.health()["checks"]["normal_boot"] is False
            for line in ("wevtutil qe System /q:Event[System[EventID=1001]] /f:text",
                         r"ren C:\Windows\System32\drivers\contosoflt.sys contosoflt.sys.bad"):
                await target.type_line(line)
            shown.append(target.snapshot().text())
            await target.type_line("exit")
            await target.press(["Enter"])
            await target.type_line("restart")
            await target.wait(CMD_READY)
            shown.append(str(simulation.health()))
        finally:
            await target.close()
        return shown

    boots, in_safe_mode, health = asyncio.run(main())
    assert int(boots) >= 2
    assert "The computer has rebooted from a bugcheck.  The bugcheck was: 0x00000050" in in_safe_mode
    assert "'healthy': True" in health

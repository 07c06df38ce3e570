"""ipmi:// against real BMCs: OpenIPMI's simulator (ipmi_sim) as the BMC of the busybox VM, for
Serial-over-LAN and chassis power, with ipmitool as the independent client; and a small
pyghmi BMC over QMP for the NMI that ipmi_sim does not implement."""

from __future__ import annotations

import asyncio
import os
import re
import socket

import pytest

from helpers.jupyter import execute
from helpers.processes import start_helper, stop_process
from serial_console_kernel.errors import ConsoleError
from serial_console_kernel.target import Target
from targets.build_linux_vm import ROOT_PASSWORD
from targets.ipmi_bmc import ADMIN, PASSWORD, IpmiSimBmc, free_port, ipmitool
from targets.qemu_vm import LinuxVM

os.environ["TARGET_ROOT_PASSWORD"] = ROOT_PASSWORD
os.environ["IPMI_PASSWORD"] = PASSWORD  # the kernel reads it, as ipmitool -E does
PROMPT = "root@serialtarget:~#"


def log_in(kc) -> None:
    assert "serialtarget login:" in execute(kc, "%wait login: --timeout 60").text
    result = execute(kc, "root\n%password TARGET_ROOT_PASSWORD")
    assert result.text.rstrip().endswith(PROMPT), result.text


@pytest.fixture(scope="module")
def bmc():
    machine = IpmiSimBmc()
    try:
        yield machine
    finally:
        machine.stop()


@pytest.fixture(scope="module")
def on_sol(kc_module, bmc):
    result = execute(kc_module, f"%connect {bmc.url}")
    assert result.status == "ok", result.error
    return kc_module


def test_power_on_through_the_bmc_then_a_login_and_a_command_over_sol(on_sol, bmc):
    assert execute(on_sol, "%power status").stdout == "power status via ipmi: off\n"
    assert execute(on_sol, "%power on").stdout == "power on sent via ipmi\n"
    assert ipmitool(bmc, "chassis", "power", "status") == "Chassis Power is on"
    log_in(on_sol)
    result = execute(on_sol, "uname -s; echo $((6*7))")
    assert result.text.splitlines()[-3:] == ["Linux", "42", PROMPT]
    status = execute(on_sol, "%status").stdout
    assert status.startswith(f"connected to {bmc.url}\n") and PASSWORD not in status
    assert status.splitlines()[1] == ("power via ipmi; can: nmi, reset, power off, power on, "
                                      "power cycle, sysrq, break")


def test_sysrq_goes_as_a_sol_break_then_the_key(on_sol):
    result = execute(on_sol, "%sysrq h")
    assert result.stdout == "SysRq h sent via ipmi\n"
    assert "show-task-states(t)" in result.text.replace("\n", "")


def test_nmi_refused_by_this_bmc_shows_the_bmcs_own_answer(on_sol):
    result = execute(on_sol, "%nmi")
    assert result.status == "error"
    assert "refused diag (NMI): Invalid data field in request" in result.error
    assert execute(on_sol, "echo alive").text.splitlines()[-2:] == ["alive", PROMPT]


def test_reset_and_cycle_reboot_and_the_console_follows(on_sol):
    assert execute(on_sol, "%reset").stdout == "hard reset sent via ipmi\n"
    log_in(on_sol)
    assert execute(on_sol, "%power cycle").stdout == "power cycle sent via ipmi\n"
    result = execute(on_sol, "%wait login: --timeout 60")
    assert "SERIAL-TARGET BOOTED" in result.text  # a new QEMU process, seen from its boot
    log_in(on_sol)


def test_one_sol_session_per_bmc_a_second_client_takes_over_when_it_insists(on_sol, bmc):
    async def second_client() -> None:
        other = Target()
        with pytest.raises(ConsoleError, match="another client holds the SOL console"):
            await other.connect(bmc.url)
        await other.connect(bmc.url, take_over=True, logout="off", power="none")
        await other.close()

    asyncio.run(second_client())
    result = execute(on_sol, "echo still-here")
    assert result.status == "error" and "another client took over" in result.error
    assert execute(on_sol, "%connect --take-over").status == "ok"
    assert execute(on_sol, "echo back").text.splitlines()[-2:] == ["back", PROMPT]


def test_power_off_then_disconnect_leaves_no_sol_session_active(on_sol, bmc):
    assert execute(on_sol, "%power off").stdout == "power off sent via ipmi\n"
    assert ipmitool(bmc, "chassis", "power", "status") == "Chassis Power is off"
    assert execute(on_sol, "%disconnect").status == "ok"
    # ipmitool, as another client, finds nothing left active to deactivate.
    assert "already de-activated" in ipmitool(bmc, "sol", "deactivate")


@pytest.fixture(scope="module")
def nmi_bmc():
    vm = LinuxVM()
    process, port = start_helper("nmi_bmc.py", vm.qmp_path, ADMIN, PASSWORD)
    try:
        yield vm, f"ipmi://{ADMIN}@127.0.0.1:{port}"
    finally:
        stop_process(process)
        vm.stop()


def test_nmi_through_a_bmc_that_has_it_reaches_the_guest(kc_module, nmi_bmc):
    vm, url = nmi_bmc
    assert execute(kc_module, f"%connect {vm.console_url} --power {url}").status == "ok"
    vm.start_when_connected()
    log_in(kc_module)
    result = execute(kc_module, "%nmi")
    assert result.stdout == "NMI sent via ipmi\n"
    assert re.search(r"Uhhuh\. NMI received for unknown reason \w+ on CPU 0\.",
                     result.text.replace("\n", ""))
    assert execute(kc_module, "%power status").stdout == "power status via ipmi: on\n"


def test_a_wrong_password_and_a_bmc_that_does_not_answer_are_one_line_errors(bmc):
    async def connect(url: str, password: str) -> str:
        with pytest.raises(ConsoleError) as error:
            await Target(environ={"IPMI_PASSWORD": password}).connect(url)
        return str(error.value)

    refused = asyncio.run(connect(bmc.url, "not-the-password"))
    assert refused == f"{bmc.url} refused: Incorrect password provided"
    silent = f"ipmi://{ADMIN}@127.0.0.1:{free_port(socket.SOCK_DGRAM)}"  # nobody listens there
    assert asyncio.run(connect(silent, PASSWORD)).startswith(f"no answer from {silent} (UDP port")

"""Session safety on the real Debian 12 VM: a 10,000-character line reaches bash whole (paced in
echoed pieces), and leaving the console signs it out, so the next client finds `login:`."""

from __future__ import annotations

import asyncio
import threading

from serial_console_kernel.engine.patterns import compile_pattern, escape
from serial_console_kernel.target import Target
from targets.build_debian_vm import ROOT_PASSWORD, disk
from targets.qemu_vm import LinuxVM


def letters(count: int) -> str:
    return "".join(chr(ord("a") + i % 26) for i in range(count))


def test_a_long_line_arrives_whole_and_leaving_signs_out():
    vm = LinuxVM(disk=disk("healthy"))
    said: list[str] = []

    async def session() -> str:
        target = Target(say=said.append)
        target.settings.timeout = 300  # the first boot under TCG
        try:
            await target.connect(vm.console_url)
            await target.wait(compile_pattern(escape("login:")))
            target.settings.timeout = 60
            await target.type_line("root")
            await target.type_password(ROOT_PASSWORD)
            await target.type_line(f"echo {letters(10_000)} | wc -c")
            return target.snapshot().text()
        finally:
            await target.close()

    try:
        threading.Thread(target=vm.start_when_connected, kwargs={"timeout": 120}, daemon=True).start()
        shown = asyncio.run(session())
        after = vm.prompt_for_new_client()
    finally:
        vm.stop()
    lines = [line.strip() for line in shown.splitlines()]
    assert "10001" in lines  # wc -c on the VM: every character and the newline
    assert "signed out: the console is at login:" in said
    assert b"login:" in after and b"root@debian-target" not in after.splitlines()[-1]

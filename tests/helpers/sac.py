"""Into a Command Prompt channel the documented way, on a Target: SAC's `cmd`, `ch -si 1`,
Enter, then the sign-in (user, empty domain, password)."""

from __future__ import annotations

from serial_console_kernel.engine.patterns import compile_pattern, escape
from serial_console_kernel.simulator.windows.state import ADMIN_PASSWORD
from serial_console_kernel.target import Target

CMD_READY = compile_pattern(escape("EVENT: The CMD command is now available."))


async def sign_in_to_sac(target: Target) -> None:
    """After SAC's CMD event: a console just connected may still be booting."""
    await target.wait(CMD_READY, timeout=60)
    for line in ("cmd", "ch -si 1"):
        await target.type_line(line)
    await target.press(["Enter"])
    for line in ("Administrator", ""):
        await target.type_line(line)
    await target.type_password(ADMIN_PASSWORD)

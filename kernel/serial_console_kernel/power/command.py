"""`cmd:nmi=virsh inject-nmi vm1;reset=virsh reset vm1;…`: a shell command per action
(libvirt, ipmitool, cloud CLIs), each bounded by a timeout, its failure one line."""

from __future__ import annotations

import asyncio
import shlex
from typing import TYPE_CHECKING

from ..errors import ConsoleError
from .base import ACTIONS, require

if TYPE_CHECKING:
    from ..transports.base import Transport

TIMEOUT = 60.0


class CommandPower:
    name = "cmd"

    def __init__(self, spec: str, transport: Transport | None = None) -> None:
        self.commands: dict[str, str] = {}
        for part in spec.split(";"):
            if not part.strip():
                continue
            action, sep, command = part.partition("=")
            action = action.strip().replace("-", "_")
            if not sep or action not in ACTIONS or not command.strip():
                raise ConsoleError(f"bad cmd: power spec {part!r}: write ACTION=COMMAND;… with "
                                   f"ACTION one of {', '.join(ACTIONS)}")
            self.commands[action] = command.strip()
        self.actions = frozenset(self.commands)

    async def run(self, action: str, argument: str = "") -> str:
        require(self, action)
        command = self.commands[action].replace("{key}", shlex.quote(argument))
        process = await asyncio.create_subprocess_shell(
            command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True)
        try:
            output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            process.kill()
            await process.wait()
            raise ConsoleError(f"{action} command did not finish within {TIMEOUT:g} s: {command}") from None
        text = output.decode(errors="replace").strip()
        last = text.splitlines()[-1] if text else ""
        if process.returncode:
            raise ConsoleError(f"{action} command failed with status {process.returncode}: "
                               f"{last or command}")
        return last or f"{action} done"

    async def close(self) -> None:
        return None

"""Power magics: NMI, reset, restart, power, SysRq, BREAK, the backend, and %boot-menu.

Destructive actions run without asking (a runbook is deliberate) and leave one audit line in
the cell's output and, with the time, in the transcript."""

from __future__ import annotations

import datetime

from .bootmenu import catch_boot_menu
from .errors import ConsoleError
from .power import open_power
from .power.base import DESCRIPTIONS, PowerBackend
from .power.line import LinePower


class PowerHandlers:
    """Mixed into the kernel: uses `self.console`, `self.power`, `print_text`."""

    power: PowerBackend | None = None

    def backend_for(self, action: str) -> PowerBackend:
        console = self.require_console()
        if self.power is not None and action in self.power.actions:
            return self.power
        if action in ("break", "sysrq"):
            return LinePower(console.session.transport)
        if self.power is None:
            raise ConsoleError(f"no power backend to {action.replace('_', ' ')} with: "
                               "%connect … --power qmp:PATH|sim|cmd:…, or %power-backend")
        return self.power  # its `run` names what it does support

    async def power_action(self, action: str, argument: str = "", announce: bool = True) -> str:
        """Do it and leave the audit line: in the cell (`announce`) and, timed, in the log."""
        backend = self.backend_for(action)
        if action != "status":
            self.console.session.mark_input()
        answer = await backend.run(action, argument)
        line = f"{DESCRIPTIONS[action].format(argument)} via {backend.name}"
        if action == "status":
            line = f"power status via {backend.name}: {answer}"
        if announce:
            self.print_text(line)
        transcript = self.console.session.transcript
        if transcript is not None:
            now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            transcript.note(f"{line} at {now}")
        return line

    async def set_power_backend(self, spec: str | None) -> None:
        if self.power is not None:
            await self.power.close()
            self.power = None
        if spec:
            transport = self.console.session.transport if self.console is not None else None
            self.power = open_power(spec, transport)
        for panel in self.panels:
            panel.refresh()

    async def _act(self, action: str, argument: str = "") -> bool:
        """Do it, then wait for the machine's answer as after a typed line: what it printed
        in answer (the NMI message, SysRq's help) belongs to this cell."""
        await self.require_console().act(lambda: self.power_action(action, argument),
                                         f"the console after {DESCRIPTIONS[action].format(argument)}")
        return True

    async def magic_nmi(self, args) -> bool:
        return await self._act("nmi")

    async def magic_reset(self, args) -> bool:
        return await self._act("reset")

    async def magic_restart(self, args) -> bool:
        return await self._act("restart")

    async def magic_power(self, args) -> bool:
        action = {"on": "power_on", "off": "power_off", "cycle": "power_cycle",
                  "status": "status"}[args.state]
        if action == "status":
            await self.power_action(action)
            return False
        return await self._act(action)

    async def magic_sysrq(self, args) -> bool:
        if len(args.key) != 1:
            raise ConsoleError("%sysrq takes one key, e.g. %sysrq h (help), s (sync), b (reboot)")
        return await self._act("sysrq", args.key)

    async def magic_break(self, args) -> bool:
        return await self._act("break")

    async def magic_power_backend(self, spec: str) -> bool:
        spec = spec.strip().strip("'\"")
        if not spec:
            self.print_text(f"power backend {self.power.name if self.power else 'none'}")
            return False
        await self.set_power_backend(None if spec == "none" else spec)
        return False

    async def magic_boot_menu(self, args) -> bool:
        select = " ".join(args.select) if args.select else None
        self.print_text(await self.boot_menu(select=select, keys=args.keys, timeout=args.timeout))
        return True

    async def boot_menu(self, *, select: str | None, keys: str | None, timeout: float | None,
                        announce: bool = True) -> str:
        console = self.require_console()
        # Windows needs F8 before the OS loads; GRUB shows its menu unasked (see bootmenu).
        key = keys or ("F8" if self.settings.keys == "ems" else None)
        action = "reset" if self.power is not None and "reset" in self.power.actions else "restart"

        async def restart() -> None:
            await self.power_action(action, announce=announce)

        return await catch_boot_menu(console, restart, key=key, select=select,
                                     timeout=timeout or max(self.settings.timeout, 60))

    async def magic_controls(self, args) -> bool:
        from .widgets import ControlPanel

        panel = ControlPanel(self)
        self.panels.append(panel)
        self.send_response(self.iopub_socket, "display_data",
                           {"data": panel.bundle(), "metadata": {}, "transient": {}})
        return False

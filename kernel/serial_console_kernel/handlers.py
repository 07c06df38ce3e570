"""What each magic does.  Handlers return True when they touched the console, so the cell
answers with the screen; settings magics only print."""

from __future__ import annotations

import asyncio
import dataclasses
import os

from .console import Console
from .errors import ConsoleError
from .keys import decode_escapes
from .magics import MAGICS, help_text, parse_pattern
from .prompts import DEFAULT_PROMPT, compile_prompt
from .session import ConsoleSession
from .settings import parse_size
from .transcript import Transcript
from .transports import open_transport
from .transports.base import default

PASSWORD_PROMPT_TIMEOUT = 300.0
SETTLE_AFTER_MATCH = 0.15
# Signing in is slow (password hashing, PAM's 2-3 s delay after a wrong one): a pause then is
# not the end of the answer.  A prompt still ends the wait at once.
QUIET_AFTER_PASSWORD = 5.0


class MagicHandlers:
    """Mixed into the kernel: uses `self.settings`, `self.console`, `print_text`."""

    transcript_path: str | None = None

    # -- connection ---------------------------------------------------------------------------
    async def magic_connect(self, args) -> bool:
        target = " ".join(args.target).strip() or self.last_target
        if not target:
            raise ConsoleError("%connect needs a TARGET, e.g. %connect sim:windows or "
                               "%connect socket://127.0.0.1:4555")
        # Settings change only once the console opened: a failed %connect leaves none behind.
        settings = dataclasses.replace(self.settings)
        if args.baud:
            settings.baud = args.baud
        if args.size:
            settings.columns, settings.lines = parse_size(args.size)
        if args.prompt:
            compile_prompt(args.prompt)
            settings.prompt = args.prompt
        if self.console is not None:
            await asyncio.to_thread(self.console.close)
            self.console = None
        transport = await asyncio.to_thread(open_transport, target, baud=settings.baud)
        settings.keys = args.keys or default(transport, "default_keys")
        vars(self.settings).update(vars(settings))
        settings = self.settings
        session = ConsoleSession(transport, columns=settings.columns, lines=settings.lines,
                                 scrollback=settings.scrollback, secrets=self.secrets)
        if self.transcript_path:
            session.set_transcript(Transcript(self.transcript_path))
            session.transcript.note(f"connected to {target}")
        session.start()
        self.console = Console(session, settings, target)
        self.last_target = target
        power = args.power or default(transport, "default_power")
        if power == "none":
            power = None
        await self.set_power_backend(power)
        self.print_text(f"connected to {target}")
        await self.console.quiet()
        return True

    async def magic_disconnect(self, args) -> bool:
        if self.console is None:
            self.print_text("not connected")
            return False
        await asyncio.to_thread(self.console.close)
        self.print_text(f"disconnected from {self.console.target}")
        self.console = None
        return False

    async def magic_status(self, args) -> bool:
        s = self.settings
        if self.console is None:
            state = "not connected" + (f" (last target {self.last_target})" if self.last_target else "")
        elif self.console.session.closed_reason:
            state = f"disconnected from {self.console.target}: {self.console.session.closed_reason}"
        else:
            state = f"connected to {self.console.target}"
            dropped = self.console.session.malformed
            if dropped:
                state += f" ({dropped} escape sequences dropped: the emulation could not take them)"
        self.print_text("\n".join([
            state,
            f"screen {s.columns}x{s.lines}, keys {s.keys}, enter {s.enter}, baud {s.baud}",
            f"timeout {s.timeout:g} s, quiet {s.quiet_ms:g} ms, txdelay {s.txdelay_ms:g} ms, "
            f"scrollback {s.scrollback} lines",
            f"prompt {'(default)' if s.prompt == DEFAULT_PROMPT else repr(s.prompt)}",
            f"log {self.transcript_path or 'off'}",
        ]))
        return False

    # -- typing and looking ----------------------------------------------------------------------
    async def magic_screen(self, args) -> bool:
        await self.require_console().quiet()
        self.full_screen = True
        return True

    async def magic_send(self, text: str) -> bool:
        if not text:
            raise ConsoleError("%send needs TEXT, e.g. %send \\x03 for Ctrl-C")
        await self.require_console().send(decode_escapes(text))
        return True

    async def magic_key(self, args) -> bool:
        await self.require_console().press(args.keys)
        return True

    async def magic_wait(self, args) -> bool:
        pattern = parse_pattern(" ".join(args.pattern))
        console = self.require_console()
        await console.wait_text(pattern, timeout=args.timeout, new=args.new)
        # The match may sit mid-line: let the burst finish so the cell shows whole lines.
        await console.quiet_for(min(self.settings.quiet_ms / 1000, SETTLE_AFTER_MATCH))
        return True

    async def magic_expect(self, args) -> bool:
        text = " ".join(args.pattern)
        self.require_console().expect(parse_pattern(text), written=text)
        return False

    async def magic_password(self, args) -> bool:
        console = self.require_console()
        secret = os.environ.get(args.envvar) if args.envvar else None
        if not secret:
            secret = default(console.session.transport, "default_password")
            if secret:
                self.print_text(f"{args.envvar or 'no variable'} is not set: typing the "
                                "simulator's documented default password")
        if not secret:
            if not self._allow_stdin:
                where = f"set the environment variable {args.envvar}" if args.envvar else \
                    "use %password ENVVAR"
                raise ConsoleError(f"no password to type: {where} (this front end cannot ask)")
            # A person types it: bounded, but longer than a console wait.
            limit = max(self.settings.timeout, PASSWORD_PROMPT_TIMEOUT)
            try:
                secret = await asyncio.wait_for(asyncio.to_thread(self.getpass, "Password: "), limit)
            except asyncio.TimeoutError:
                raise ConsoleError(f"no password entered within {limit:g} s") from None
        console.session.add_secret(secret)
        await console.type_line(secret, what="the prompt after the password", echoed=False,
                                quiet=max(self.settings.quiet_ms / 1000, QUIET_AFTER_PASSWORD))
        return True

    # -- settings ------------------------------------------------------------------------------------
    def _show_or_set(self, name: str, value, unit: str = "") -> bool:
        if value is None:
            self.print_text(f"{name} {getattr(self.settings, name):g}{unit}")
        else:
            if value < 0:
                raise ConsoleError(f"%{name.split('_')[0]} must not be negative")
            setattr(self.settings, name, value)
        return False

    async def magic_timeout(self, args) -> bool:
        if args.seconds is not None and args.seconds <= 0:
            raise ConsoleError("%timeout must be more than 0 seconds: every wait is bounded")
        return self._show_or_set("timeout", args.seconds, " s")

    async def magic_quiet(self, args) -> bool:
        return self._show_or_set("quiet_ms", args.ms, " ms")

    async def magic_txdelay(self, args) -> bool:
        return self._show_or_set("txdelay_ms", args.ms, " ms")

    async def magic_enter(self, args) -> bool:
        if args.ending is None:
            self.print_text(f"enter {self.settings.enter}")
        else:
            self.settings.enter = args.ending
        return False

    async def magic_prompt(self, text: str) -> bool:
        if not text:
            self.print_text(f"prompt {self.settings.prompt}")
            return False
        pattern = DEFAULT_PROMPT if text == "default" else text
        compile_prompt(pattern)
        self.settings.prompt = pattern
        if self.console is not None:
            self.console.set_prompt(pattern)
        return False

    async def magic_size(self, args) -> bool:
        if args.size is None:
            self.print_text(f"size {self.settings.columns}x{self.settings.lines}")
            return False
        self.settings.columns, self.settings.lines = parse_size(args.size)
        if self.console is not None:
            self.console.session.resize(self.settings.columns, self.settings.lines)
        return False

    async def magic_scrollback(self, args) -> bool:
        if args.lines is None:
            self.print_text(f"scrollback {self.settings.scrollback} lines")
            return False
        if args.lines < 0:
            raise ConsoleError("%scrollback must not be negative")
        self.settings.scrollback = args.lines
        if self.console is not None:
            self.console.session.set_scrollback(args.lines)
        return False

    async def magic_log(self, args) -> bool:
        if args.path is None:
            self.print_text(f"log {self.transcript_path or 'off'}")
            return False
        transcript = None
        if args.path != "off":
            try:
                transcript = Transcript(args.path)
            except OSError as err:
                raise ConsoleError(f"cannot write the log {args.path}: {err.strerror}") from None
            transcript.close()
        self.transcript_path = None if args.path == "off" else str(transcript.path)
        if self.console is not None:
            self.console.session.set_transcript(
                Transcript(self.transcript_path) if self.transcript_path else None)
        return False

    # -- help ------------------------------------------------------------------------------------------
    async def magic_help(self, args) -> bool:
        self.print_text(help_text(args.name))
        return False

    async def magic_env(self, text: str) -> bool:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not name:
            self.print_text("\n".join(f"{k}={v}" for k, v in sorted(os.environ.items())
                                      if k.startswith("SERIAL_CONSOLE_")))
        elif not sep:
            self.print_text(f"{name}={os.environ.get(name, '')}")
        elif not name.replace("_", "").isalnum():
            raise ConsoleError(f"bad variable name {name!r}")
        else:
            os.environ[name] = value.strip()
        return False

    async def magic_echo(self, text: str) -> bool:
        self.print_text(text)
        return False

    async def magic_lsmagic(self, args) -> bool:
        self.print_text("  ".join("%" + name for name in MAGICS))
        return False
